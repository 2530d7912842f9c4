"""The console's German catalogs (English source string → German), merged by cli/i18n.py."""
