"""Translation catalogs of the desktop app: one ``STRINGS`` dict per module, English
source text -> translated text (see ``parley.gui.i18n``)."""
