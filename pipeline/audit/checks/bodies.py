"""Who does what: the lead body, the reward body, the Front's mobilisation, and the reward forms."""

from __future__ import annotations

import re

from pipeline.audit.checks.base import joined, result
from pipeline.audit.context import AuditContext
from pipeline.audit.models import CheckResult, Quote
from pipeline.audit.reference import BodyCheck, RewardFormsCheck, StateRewardsCheck
from pipeline.audit.textindex import Hit, fold, phrase_pattern

_PARTNER_BEFORE = re.compile(
    r"(?<![a-z])(?:phoi\s+hop(?:\s+voi)?|cung\s+voi|voi)\s+(?:cac\s+|nganh\s+|so\s+|phong\s+|bo\s+)?$"
)
_PREFIX = re.compile(r"(?<![a-z])(bo|so|phong|nganh|ban)\s+$")
_LEVEL_WORD = {"bo": "Bộ", "so": "Sở", "phong": "Phòng", "nganh": "ngành", "ban": "Ban"}


_HEADING = re.compile(r"[ \t]*(?:\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|[IVX]{1,4}\.)[ \t]")


def _leads_item(ctx: AuditContext, hit: Hit) -> bool:
    """The name opens a numbered item ("4. Phòng Lao động - ...: theo dõi ..."): the item is its task list."""
    page = ctx.text.page(hit.page)
    assert page is not None
    line_start = page.text.rfind("\n", 0, hit.start) + 1
    marker = _HEADING.match(page.text, line_start)
    return marker is not None and hit.start - marker.end() <= 20


def _context(ctx: AuditContext, hit: Hit) -> Hit:
    """The clause a body is named in; for a numbered heading ("5. Sở Lao động - ..."), the block under it."""
    page = ctx.text.page(hit.page)
    assert page is not None
    line_start = page.text.rfind("\n", 0, hit.start) + 1
    line_end = page.text.find("\n", hit.end)
    line_end = len(page.text) if line_end < 0 else line_end
    rest = page.text[hit.end : line_end].strip()
    if _HEADING.match(page.text, line_start) and (len(rest) < 15 or rest.endswith(":")):
        return ctx.text.following(hit, 450)
    return ctx.text.clause(hit)


def _verb_distance(ctx: AuditContext, hit: Hit, context: Hit, verbs: list[str]) -> int | None:
    """How far from the name the nearest task word is; words inside the name itself do not count."""
    page = ctx.text.page(hit.page)
    assert page is not None
    c_start, c_end = page.folded_offset(context.start), page.folded_offset(context.end)
    h_start, h_end = page.folded_offset(hit.start), page.folded_offset(hit.end)
    best: int | None = None
    for verb in verbs:
        for m in re.finditer(verb, page.folded[c_start:c_end]):
            a, b = c_start + m.start(), c_start + m.end()
            if a < h_end and h_start < b:
                continue
            gap = a - h_end if a >= h_end else h_start - b + 50  # a task after the name reads more directly
            best = gap if best is None else min(best, gap)
    return best


def _matches(phrases: list[str], text: str) -> list[str]:
    folded = fold(text)
    return [p for p in phrases if re.search(phrase_pattern(p), folded)]


def _level_ok(ctx: AuditContext, spec: BodyCheck, prefix: str | None) -> tuple[bool, str]:
    wanted = ctx.reference.bodies[spec.body].level_prefix
    level = ctx.issuer_level
    if not spec.check_level or level is None or level not in wanted:
        return True, ""
    expected = wanted[level]
    if prefix and prefix in [fold(e) for e in expected]:
        return True, f" at {level} level ({_LEVEL_WORD.get(prefix, prefix)})"
    return False, f"; the plan is at {level} level, where {' / '.join(expected)} is expected"


def _from_fields(ctx: AuditContext, spec: BodyCheck) -> CheckResult | None:
    body = ctx.reference.bodies[spec.body]
    wanted_role = "lead" if spec.check_level else None
    for i, rb in enumerate(ctx.result.fields.responsible_bodies):
        names = [rb.name, *rb.aliases]
        if not any(_matches(body.match, n) for n in names):
            continue
        if wanted_role and rb.role != wanted_role:
            continue
        # Outside the lead role, a body counts only when one of its tasks is this kind of work.
        verbs = [phrase_pattern(v) for v in spec.verbs]
        if not wanted_role and not any(re.search(v, fold(t)) for t in rb.tasks for v in verbs):
            continue
        q = ctx.field_quote(f"responsible_bodies[{i}]")
        prefix = fold(rb.name).split(" ", 1)[0]
        ok, level_note = _level_ok(ctx, spec, prefix)
        tasks = f": {joined(rb.tasks, 2)}" if rb.tasks else ""
        return result(
            spec,
            "pass" if ok else "warn",
            f"{rb.name} is given the role {rb.role}{level_note}{tasks}.",
            [q] if q else [],
            source="fields",
        )
    return None


def check_body(ctx: AuditContext, spec: BodyCheck) -> CheckResult:
    from_fields = _from_fields(ctx, spec)
    if from_fields and from_fields.status == "pass":
        return from_fields
    body = ctx.reference.bodies[spec.body]
    verbs = [phrase_pattern(v) for v in spec.verbs]
    tasked: list[tuple[int, Hit, Hit, str | None]] = []
    partner: list[Hit] = []
    for hit in ctx.text.find_any(body.match):
        page = ctx.text.page(hit.page)
        assert page is not None
        before = page.folded[max(0, page.folded_offset(hit.start) - 30) : page.folded_offset(hit.start)]
        if _PARTNER_BEFORE.search(before):
            partner.append(hit)
            continue
        context = _context(ctx, hit)
        distance = _verb_distance(ctx, hit, context, verbs)
        if distance is not None:
            word = _PREFIX.search(before)
            rank = distance if not _leads_item(ctx, hit) else -1000 + distance
            tasked.append((rank, hit, context, word.group(1) if word else None))
    tasked.sort(key=lambda t: t[0])
    issuer = ctx.result.fields.issuer.name or ""
    if not tasked and spec.issuer_counts and _matches(body.match, issuer):
        for v in verbs:
            for page, m in ctx.text.search(v):
                hit = page.hit(m.start(), m.end())
                return result(
                    spec,
                    "pass",
                    f"The plan is issued by {issuer} itself and assigns this work.",
                    [ctx.quote(hit)],
                    source="fields+text",
                )
    if tasked:
        level_ok = [t for t in tasked if _level_ok(ctx, spec, t[3])[0]]
        _, hit, context, prefix = (level_ok or tasked)[0]
        ok, level_note = _level_ok(ctx, spec, prefix)
        name = " ".join(hit.text.split())
        evidence = [ctx.quote(context, sentence=False, anchor=hit)]
        if ok:
            return result(
                spec,
                "pass",
                f"{body.label}: named with a task ({name}){level_note}.",
                evidence,
                source="text",
            )
        return result(
            spec, "warn", f"{body.label}: named with a task ({name}){level_note}.", evidence, source="text"
        )
    if from_fields:
        return from_fields
    if partner:
        return result(
            spec,
            "warn",
            f"{body.label} is named only as a partner of another body.",
            [ctx.quote(partner[0])],
            source="text",
        )
    mentions = ctx.text.find_any(body.match)
    if mentions:
        return result(
            spec, "warn", f"{body.label} is named but given no task.", [ctx.quote(mentions[0])], source="text"
        )
    return result(spec, "fail", f"{body.label} is not named.", source="text")


def check_reward_forms(ctx: AuditContext, spec: RewardFormsCheck) -> CheckResult:
    found: list[tuple[str, Hit]] = []
    for form in spec.forms:
        for hit in ctx.text.find_any(form.match):
            inside_longer = any(
                h.page == hit.page
                and h.start <= hit.start
                and hit.end <= h.end
                and (h.start, h.end) != (hit.start, hit.end)
                for _, h in found
            )
            if not inside_longer:
                found.append((form.label, hit))
    if not found:
        return result(
            spec, "warn", "No reward form (Bằng khen, Giấy khen, Huân chương ...) is named.", source="text"
        )
    labels = list(dict.fromkeys(label for label, _ in found))
    evidence: list[Quote] = []
    for label in labels[:3]:
        hit = next(h for lab, h in found if lab == label)
        evidence.append(ctx.quote(hit))
    return result(spec, "pass", f"Reward forms named: {joined(labels, 6)}.", evidence, source="text")


def check_state_rewards(ctx: AuditContext, spec: StateRewardsCheck) -> CheckResult:
    markers = ctx.text.find_any(spec.markers)
    if not markers:
        return result(spec, "n/a", "The plan proposes no state-level reward.", source="text")
    guidance = [phrase_pattern(g) for g in spec.guidance]
    for hit in markers:
        area = ctx.text.following(ctx.text.sentence(hit), 300)
        named = [g for g, p in zip(spec.guidance, guidance, strict=True) if re.search(p, fold(area.text))]
        if named:
            return result(
                spec,
                "pass",
                f"State-level rewards are tied to {joined(named)}.",
                [ctx.quote(area, sentence=False, anchor=hit)],
                source="text",
            )
    return result(
        spec,
        "warn",
        f"State-level rewards are proposed without reference to {joined(spec.guidance, 2)}.",
        [ctx.quote(markers[0])],
        source="text",
    )
