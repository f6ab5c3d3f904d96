"""How a plan reaches the reference: it cites it (direct), it implements a plan that does (indirect), or not.

Indirect means the plan cites another plan or decision, issued on or after the reference, in a sentence
that names the reference's movement and period ("Thực hiện Kế hoạch số 562/KH-MTTW-BTT ...; căn cứ Kế
hoạch số 132/KH-UBND ... về việc thực hiện Phong trào thi đua "Vì người nghèo - ..." giai đoạn 2021-2025").
Documents the reference itself rests on (its own legal bases) are upstream, never a route to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.audit.citations import Citation, find_citations
from pipeline.audit.context import AuditContext
from pipeline.audit.matching import movement_hits, period_hits
from pipeline.audit.models import Relation
from pipeline.audit.reference import Reference, Upstream, id_key
from pipeline.audit.textindex import Hit


@dataclass
class Route:
    citation: Citation
    sentence: Hit
    movement: Hit
    period: Hit


@dataclass
class RelationFinding:
    relation: Relation
    direct: Citation | None = None
    routes: list[Route] = field(default_factory=list)
    cited: list[Citation] = field(default_factory=list)
    other_references: list[tuple[Citation, Reference]] = field(default_factory=list)
    upstream: list[tuple[Citation, Upstream]] = field(default_factory=list)
    too_early: list[Citation] = field(default_factory=list)

    @property
    def via(self) -> list[str]:
        if self.direct:
            return [self.direct.number]
        return [r.citation.number for r in self.routes]


def _route(ctx: AuditContext, cite: Citation) -> Route | None:
    ref = ctx.reference
    for hit in cite.hits:
        sentence = ctx.text.sentence(hit)
        after = Hit(hit.page, hit.start, sentence.end, sentence.text[hit.start - sentence.start :])
        own, _ = movement_hits(ctx, ref.movement, within=after)
        periods = period_hits(ctx, ref.period.start, ref.period.end, within=after)
        if own and periods:
            return Route(cite, sentence, own[0], periods[0])
    return None


def detect_relation(ctx: AuditContext, known: list[Reference]) -> RelationFinding:
    ref = ctx.reference
    cited = find_citations(ctx)
    finding = RelationFinding(relation="none", cited=cited)
    upstream = {id_key(u.number): u for u in ref.upstream}
    others = {key: r for r in known if r.id != ref.id for key in r.id_keys()}
    for cite in cited:
        if cite.key in ref.id_keys():
            finding.direct = finding.direct or cite
        elif cite.key in upstream:
            finding.upstream.append((cite, upstream[cite.key]))
        elif cite.key in others:
            finding.other_references.append((cite, others[cite.key]))
        elif cite.date is not None and cite.date < ref.document.date:
            finding.too_early.append(cite)
        else:
            route = _route(ctx, cite)
            if route:
                finding.routes.append(route)
    if finding.direct:
        finding.relation = "direct"
    elif finding.routes:
        finding.relation = "indirect"
    return finding
