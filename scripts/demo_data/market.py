"""Countries, currencies, tax rates, names, segments and churn hazards of the demo's customers."""

from __future__ import annotations

COUNTRIES = (  # code, currency, weight, company suffixes
    ("US", "USD", 40, ("Inc.", "LLC", "Corp.", "")),
    ("GB", "GBP", 12, ("Ltd", "PLC", "")),
    ("DE", "EUR", 8, ("GmbH", "AG")),
    ("FR", "EUR", 6, ("SAS", "SARL")),
    ("NL", "EUR", 4, ("B.V.",)),
    ("ES", "EUR", 3, ("S.L.",)),
    ("IE", "EUR", 2, ("Ltd",)),
    ("IT", "EUR", 2, ("S.r.l.",)),
    ("CA", "CAD", 12, ("Inc.", "Ltd", "")),
    ("AU", "AUD", 11, ("Pty Ltd", "")),
)
CURRENCY_OF = {c[0]: c[1] for c in COUNTRIES} | {"JP": "JPY", "CH": "CHF"}
SUFFIXES = {c[0]: c[3] for c in COUNTRIES} | {"JP": ("K.K.",), "CH": ("AG",)}
TAX_RATES = {
    "US": ("0", "0", "0.0625", "0.0725", "0.08875"), "GB": ("0.20",), "DE": ("0.19",),
    "FR": ("0.20",), "NL": ("0.21",), "ES": ("0.21",), "IE": ("0.23",), "IT": ("0.22",),
    "CA": ("0.13", "0.05"), "AU": ("0.10",), "JP": ("0.10",), "CH": ("0.081",),
}
NAME_A = ("Blue", "North", "Bright", "Silver", "Red", "Green", "Stone", "Swift", "Clear",
          "Iron", "Golden", "Pine", "River", "Summit", "Harbor", "Maple", "Cedar", "Atlas",
          "Nova", "Lumen", "Orbit", "Copper", "Falcon", "Quartz", "Willow", "Arctic", "Delta",
          "Echo", "Granite", "Hollow", "Juniper", "Kestrel", "Lark", "Meadow", "Oak", "Prairie")
NAME_B = ("Analytics", "Labs", "Logistics", "Health", "Foods", "Works", "Media", "Systems",
          "Retail", "Capital", "Studios", "Robotics", "Energy", "Travel", "Apparel", "Bank",
          "Insurance", "Dental", "Freight", "Bakery", "Learning", "Motors", "Pharma", "Games")
SEGMENTS = (("smb", 60), ("mid_market", 27), ("enterprise", 10), (None, 3))
SEGMENT_PLANS = {
    "smb": (("starter_m", 45), ("growth_m", 28), ("starter_y", 10), ("growth_q", 6),
            ("growth_y", 8), ("pro_m", 3)),
    "mid_market": (("growth_m", 28), ("pro_m", 15), ("growth_q", 8), ("growth_h", 10),
                   ("growth_y", 22), ("pro_y", 17)),
    "enterprise": (("enterprise_y", 45), ("enterprise_2y", 20), ("enterprise_custom", 15),
                   ("pro_y", 20)),
}
# Monthly probabilities per subscription: churn, expansion, contraction.
HAZARDS = {
    "smb": (0.034, 0.045, 0.03),
    "mid_market": (0.02, 0.06, 0.04),
    "enterprise": (0.01, 0.07, 0.04),
}
ONE_TIME_SERVICES = (
    ("Training workshop (half day)", 400, 900),
    ("Custom dashboard development", 800, 4000),
    ("Data migration service", 1200, 5000),
    ("Additional onboarding session", 150, 400),
)
