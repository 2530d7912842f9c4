"""The Outlook source's own parts of the settings' Contacts page: the Outlook profile and
its password (Access data; used by the Outlook program on Windows only, not by Microsoft
Graph), and the Attribute page (which Outlook property fills which contact field).

The page owns the boxes' place and the pending passwords (they go to the keyring when the
dialog saves, with the other sources' passwords); this module fills and reads the boxes.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout

from parley.contacts.source import SourceKind
from parley.gui.i18n import N_, tr
from parley.settings.contact_sources import ContactSourceSettings

__all__ = ["OUTLOOK_ATTRIBUTE_LABELS", "OutlookFields"]

OUTLOOK_ATTRIBUTE_LABELS: dict[str, str] = {
    "display_name": N_("Display name"),
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "company": N_("Company"),
    "business": N_("Business"),
    "mobile": N_("Mobile"),
    "home": N_("Home"),
}
_ERROR_STYLE = "border: 1px solid #c0392b;"


class OutlookFields:
    """The profile box and the attribute box of the selected Outlook source."""

    def __init__(
        self,
        selected: Callable[[], ContactSourceSettings | None],
        pending_passwords: dict[str, str],
        say: Callable[[str, bool], None],
    ) -> None:
        self._selected = selected
        self._pending = pending_passwords
        self._say = say
        self._loading = False

        self.profile_box = QGroupBox(tr("Outlook profile"))
        outer = QVBoxLayout(self.profile_box)
        self.note = QLabel(
            tr(
                "Only for the Outlook program on Windows: Microsoft Graph does not use a "
                "profile. The password is the profile's (of its data file), not the mail "
                "password; it is kept in the keyring."
            )
        )
        self.note.setWordWrap(True)
        outer.addWidget(self.note)
        form = QFormLayout()
        outer.addLayout(form)
        self.profile = QLineEdit()
        self.profile.setPlaceholderText(tr("Empty: the default profile."))
        self.profile.setToolTip(tr("Control Panel › Mail › Show Profiles lists the profiles."))
        self.profile.editingFinished.connect(self._profile_changed)
        form.addRow(tr("Profile"), self.profile)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("Unchanged"))
        self.password.setToolTip(tr("Kept in the keyring of the system, not in the settings file."))
        self.password.editingFinished.connect(self._password_changed)
        form.addRow(tr("Password of the profile"), self.password)

        self.attribute_box = QGroupBox(tr("Attribute"))
        attributes = QVBoxLayout(self.attribute_box)
        explain = QLabel(
            tr(
                "Names of Microsoft Graph's contact properties (e.g. department, jobTitle); "
                "the Outlook program on Windows reads the same fields. Empty: not used."
            )
        )
        explain.setWordWrap(True)
        attributes.addWidget(explain)
        attribute_form = QFormLayout()
        attributes.addLayout(attribute_form)
        self.attribute_fields: dict[str, QLineEdit] = {}
        for key, label in OUTLOOK_ATTRIBUTE_LABELS.items():
            edit = QLineEdit()
            edit.editingFinished.connect(lambda k=key: self._attribute_changed(k))
            self.attribute_fields[key] = edit
            attribute_form.addRow(tr(label), edit)

    def show_source(self, source: ContactSourceSettings | None) -> None:
        """Show the boxes for an Outlook source, hide them for the others."""
        visible = source is not None and source.kind is SourceKind.OUTLOOK
        self.profile_box.setVisible(visible)
        self.attribute_box.setVisible(visible)
        if source is None or not visible:
            return
        self._loading = True
        try:
            self.profile.setText(source.outlook_profile or "")
            self.password.setText(self._pending.get(source.id, ""))
            for key, edit in self.attribute_fields.items():
                edit.setText(getattr(source.outlook_attributes, key))
                edit.setStyleSheet("")
        finally:
            self._loading = False

    @staticmethod
    def search_texts() -> list[str]:
        """English texts of these boxes for the settings search."""
        return ["Outlook profile", "Password of the profile"]

    def _source(self) -> ContactSourceSettings | None:
        source = self._selected()
        if self._loading or source is None or source.kind is not SourceKind.OUTLOOK:
            return None
        return source

    def _profile_changed(self) -> None:
        source = self._source()
        if source is None:
            return
        try:
            source.outlook_profile = self.profile.text().strip() or None
        except ValidationError as exc:
            self._say(str(exc.errors()[0].get("msg", exc)), True)
            return
        self._say("", False)

    def _password_changed(self) -> None:
        source = self._source()
        if source is not None and self.password.text():
            self._pending[source.id] = self.password.text()

    def _attribute_changed(self, key: str) -> None:
        source = self._source()
        if source is None:
            return
        edit = self.attribute_fields[key]
        try:
            setattr(source.outlook_attributes, key, edit.text().strip())
        except ValidationError as exc:
            edit.setStyleSheet(_ERROR_STYLE)
            self._say(str(exc.errors()[0].get("msg", exc)).removeprefix("Value error, "), True)
            return
        edit.setStyleSheet("")
        self._say("", False)
