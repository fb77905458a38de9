"""ripplemeter: local-first social media campaign evaluation, listening and seeding.

The library is the product; the CLI and the report only present what it returns.
"""

from ripplemeter.errors import CampaignError, FormatError, RippleError

__version__ = "0.1.0"
__all__ = ["RippleError", "FormatError", "CampaignError", "__version__"]
