"""planscan: digitise scanned Vietnamese government plans into validated JSON."""

__version__ = "0.1.0"
