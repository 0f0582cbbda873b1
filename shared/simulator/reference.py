"""Reference data the simulated bank draws from: regions with their zones and currencies,
industries, names and streets. Codes follow the Chinese administrative division codes and
the GB/T 4754 industry classification; the US regions use ISO 3166-2 style codes."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str
    city: str
    timezone: str
    currency: str
    country: str  # "CN" or "US": picks name, phone and id-number formats
    weight: int


REGIONS = (
    Region("310000", "Shanghai", "Asia/Shanghai", "CNY", "CN", 24),
    Region("110000", "Beijing", "Asia/Shanghai", "CNY", "CN", 20),
    Region("440300", "Shenzhen", "Asia/Shanghai", "CNY", "CN", 16),
    Region("510100", "Chengdu", "Asia/Shanghai", "CNY", "CN", 12),
    # Urumqi keeps its own zone (UTC+6): contact-hour rules must use it, not Beijing time.
    Region("650100", "Urumqi", "Asia/Urumqi", "CNY", "CN", 8),
    Region("US-NY", "New York", "America/New_York", "USD", "US", 12),
    Region("US-CA", "Los Angeles", "America/Los_Angeles", "USD", "US", 8),
)

INDUSTRIES = {
    "A01": "crop farming", "C13": "food processing", "C18": "apparel manufacturing",
    "C36": "automobile manufacturing", "E47": "building construction", "F51": "wholesale",
    "F52": "retail", "G54": "road transport", "H62": "catering", "I65": "software and IT services",
    "K70": "real estate", "Q83": "health care",
}
# Individuals are classified by their employer's industry; these are the common ones.
EMPLOYEE_INDUSTRIES = ("C36", "F52", "G54", "H62", "I65", "K70", "Q83", "C13")

CN_SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
               "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Gao")
CN_GIVEN = ("Wei", "Fang", "Na", "Min", "Jing", "Lei", "Qiang", "Jun", "Yang", "Yong", "Yan",
            "Jie", "Tao", "Ming", "Chao", "Xiuying", "Hua", "Ping", "Gang", "Guiying", "Hao")
US_FIRST = ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
            "David", "Elizabeth", "Maria", "Daniel", "Sofia", "Kevin", "Aisha", "Carlos")
US_LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
           "Rodriguez", "Martinez", "Lee", "Nguyen", "Patel", "Kim", "Walker", "Hall")
CN_STREETS = ("Century Avenue", "Nanjing Road", "Renmin Road", "Zhongshan Road", "Jiefang Road",
              "Chang'an Street", "Binhe Road", "Xinhua Road", "Jianshe Road", "Heping Road")
US_STREETS = ("Broadway", "Main St", "Park Ave", "Elm St", "Sunset Blvd", "Lexington Ave",
              "Oak St", "Maple Ave", "Atlantic Ave", "Wilshire Blvd")
CN_COMPANY_WORDS = ("Hengda", "Xinyuan", "Huamei", "Jinlong", "Tianyu", "Ruifeng", "Dongsheng",
                    "Hongxing", "Zhongtai", "Baoli", "Anhe", "Yongxin")
US_COMPANY_WORDS = ("Harbor", "Summit", "Pioneer", "Granite", "Liberty", "Evergreen", "Beacon",
                    "Meridian", "Keystone", "Redwood")
EMPLOYERS_CN = ("China Eastern Logistics", "Huaxin Software", "Shenlong Motors",
                "Greenfield Retail Group", "Ruijin Hospital", "Pacific Catering Co.",
                "Hengtai Property Services", "Golden Grain Foods")
EMPLOYERS_US = ("Hudson Logistics", "Brightline Software", "Empire Motors", "Northside Market",
                "Mount Sinai Health", "Coastal Diner Group", "Skyline Realty", "Fresh Farms Foods")

CONSUMER_PURPOSES = ("home renovation", "car purchase", "education", "household consumption",
                     "travel", "medical expenses")
BUSINESS_PURPOSES = ("working capital", "equipment purchase", "inventory financing",
                     "premises fit-out")
BUSINESS_COLLATERAL = ("real_estate", "equipment", "receivables", "deposit")
