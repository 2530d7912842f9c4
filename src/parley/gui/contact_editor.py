"""Add, edit and delete a local contact, with the manual's rules checked before saving
(a last name, display name or company, and at least one valid number) and the
problems shown next to the form, in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parley.contacts.model import (
    Contact,
    ContactError,
    NumberType,
    PhoneNumber,
    initials,
    read_avatar,
)
from parley.contacts.store import ContactStore
from parley.gui import widgets
from parley.gui.i18n import N_, tr
from parley.gui.texts import problem_text
from parley.gui.widgets import Avatar, tool_button
from parley.history.db import StoreError

NUMBER_TYPES: dict[NumberType, str] = {
    NumberType.BUSINESS: N_("Business"),
    NumberType.MOBILE: N_("Mobile"),
    NumberType.HOME: N_("Home"),
    NumberType.FAX: N_("Fax"),
    NumberType.OTHER: N_("Other"),
}

# The model's problems, by field, in our own (translatable) words.
FIELD_PROBLEMS: dict[str, str] = {
    "name": N_("Enter a last name, a display name or a company."),
    "numbers": N_("Add at least one phone number."),
    "avatar": N_("The picture is too large (at most 1 MB); choose a smaller one."),
    "presence": N_("Presence: enter a phone number or a SIP address (or nothing)."),
}


class NumberRow(QWidget):
    def __init__(self, number: PhoneNumber, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.type_box = QComboBox()
        for kind, label in NUMBER_TYPES.items():
            self.type_box.addItem(tr(label), kind.value)
        self.type_box.setCurrentIndex(self.type_box.findData(number.type.value))
        self.edit = QLineEdit(number.number)
        self.edit.setPlaceholderText(tr("Phone number or SIP address"))
        self.remove_button = tool_button("delete", tr("Remove this number"), size=16)
        layout.addWidget(self.type_box)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.remove_button)

    def value(self) -> PhoneNumber:
        return PhoneNumber(self.edit.text().strip(), NumberType(self.type_box.currentData()))


class ContactEditor(QDialog):
    """Edit `contact` (None: a new one; a contact without id: a new one prefilled, e.g.
    from the history). `saved` holds the stored contact after Save; `deleted` is True
    after Delete. `accounts`: the names offered as the contact's presence account (None:
    the accounts of the parent window's application, if it has one)."""

    def __init__(
        self,
        store: ContactStore,
        contact: Contact | None = None,
        parent: QWidget | None = None,
        *,
        accounts: Sequence[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.original = contact or Contact()
        self.saved: Contact | None = None
        self.deleted = False
        self._avatar: bytes | None = self.original.avatar
        self.setWindowTitle(tr("Edit contact") if self.original.id else tr("New contact"))
        self.setMinimumWidth(420)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.avatar = Avatar(72)
        top.addWidget(self.avatar)
        pics = QVBoxLayout()
        self.picture_button = QPushButton(tr("Choose picture…"))
        self.picture_button.clicked.connect(self._choose_picture)
        self.clear_picture_button = QPushButton(tr("Remove picture"))
        self.clear_picture_button.clicked.connect(self._clear_picture)
        pics.addWidget(self.picture_button)
        pics.addWidget(self.clear_picture_button)
        top.addLayout(pics)
        top.addStretch(1)
        layout.addLayout(top)

        form = QFormLayout()
        self.first_name = QLineEdit(self.original.first_name)
        self.last_name = QLineEdit(self.original.last_name)
        self.display_name = QLineEdit(self.original.display_name)
        self.display_name.setPlaceholderText(tr("Made from the names when empty"))
        self.company = QLineEdit(self.original.company)
        form.addRow(tr("First name"), self.first_name)
        form.addRow(tr("Last name"), self.last_name)
        form.addRow(tr("Display name"), self.display_name)
        form.addRow(tr("Company"), self.company)
        # Whose presence (online, busy...) the contact list shows for this contact.
        self.presence = QLineEdit(self.original.presence)
        self.presence.setPlaceholderText(tr("Number or SIP address whose presence is shown"))
        form.addRow(tr("Presence"), self.presence)
        # The manual's "Presence account" when adding a contact: whose account watches it.
        self.presence_account = presence_account_box(
            _account_names(parent) if accounts is None else accounts,
            self.original.presence_account,
        )
        form.addRow(tr("Presence account"), self.presence_account)
        layout.addLayout(form)
        for edit in (self.first_name, self.last_name, self.display_name, self.company):
            edit.textChanged.connect(self._refresh_avatar)

        layout.addWidget(QLabel(tr("Phone numbers")))
        self.numbers_box = QVBoxLayout()
        layout.addLayout(self.numbers_box)
        self.number_rows: list[NumberRow] = []
        for number in self.original.numbers or (PhoneNumber(""),):
            self.add_number_row(number)
        self.add_number_button = QPushButton(tr("Add number"))
        self.add_number_button.clicked.connect(lambda: self.add_number_row(PhoneNumber("")))
        layout.addWidget(self.add_number_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.favourite = QCheckBox(tr("Favourite"))
        self.favourite.setChecked(self.original.favourite)
        layout.addWidget(self.favourite)

        self.problems_label = QLabel()
        self.problems_label.setObjectName("problems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #d23b3b;")
        self.problems_label.setVisible(False)
        layout.addWidget(self.problems_label)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.delete_button = buttons.addButton(
            tr("Delete"), QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.delete_button.setVisible(self.original.id is not None)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.delete_button.clicked.connect(self.delete)
        layout.addWidget(buttons)
        self._refresh_avatar()

    # ------------------------------------------------------------------ numbers

    def add_number_row(self, number: PhoneNumber) -> NumberRow:
        row = NumberRow(number)
        row.remove_button.clicked.connect(lambda: self._remove_row(row))
        self.number_rows.append(row)
        self.numbers_box.addWidget(row)
        return row

    def _remove_row(self, row: NumberRow) -> None:
        self.number_rows.remove(row)
        row.setParent(None)
        row.deleteLater()

    # ------------------------------------------------------------------ picture

    def _refresh_avatar(self) -> None:
        contact = self.contact()
        self.avatar.set_person(contact.name, self._avatar, initials(contact))
        self.clear_picture_button.setEnabled(self._avatar is not None)

    def _choose_picture(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Choose picture"), "", tr("Pictures (*.png *.jpg *.jpeg *.bmp *.gif)")
        )
        if path:
            self.set_picture(Path(path))

    def set_picture(self, path: Path) -> bool:
        """Use the picture file at `path`; shows why when it cannot be used."""
        try:
            data = read_avatar(path)
        except ContactError:
            self.show_problems([tr("{path} cannot be used as a picture.", path=str(path))])
            return False
        from PySide6.QtGui import QImage

        if QImage.fromData(data).isNull():
            self.show_problems([tr("{path} is not a picture Parley can show.", path=str(path))])
            return False
        self._avatar = data
        self._refresh_avatar()
        return True

    def _clear_picture(self) -> None:
        self._avatar = None
        self._refresh_avatar()

    # ------------------------------------------------------------------ save / delete

    def contact(self) -> Contact:
        """The contact as the form stands."""
        numbers = tuple(r.value() for r in self.number_rows)
        if len(numbers) > 1:
            numbers = tuple(n for n in numbers if n.number) or numbers[:1]
        return replace(
            self.original,
            first_name=self.first_name.text().strip(),
            last_name=self.last_name.text().strip(),
            display_name=self.display_name.text().strip(),
            company=self.company.text().strip(),
            numbers=numbers,
            favourite=self.favourite.isChecked(),
            avatar=self._avatar,
            presence=self.presence.text().strip(),
            presence_account=str(self.presence_account.currentData() or ""),
        )

    def problems(self) -> list[str]:
        out = []
        for problem in self.contact().problems():
            if problem.field in FIELD_PROBLEMS:
                out.append(tr(FIELD_PROBLEMS[problem.field]))
            elif problem.field.startswith("numbers["):
                index = problem.field[len("numbers[") : -1]
                out.append(
                    tr(
                        "Phone number {index} is neither a phone number (digits, +, * and #) "
                        "nor a SIP address.",
                        index=index,
                    )
                )
            else:
                out.append(
                    tr(
                        "{field}: the text is too long or contains control characters.",
                        field=problem.field,
                    )
                )
        return out

    def show_problems(self, problems: list[str]) -> None:
        self.problems_label.setText("\n".join(problems))
        self.problems_label.setVisible(bool(problems))

    def save(self) -> bool:
        """Check and store the contact; on problems, show them and keep the dialog open."""
        problems = self.problems()
        if problems:
            self.show_problems(problems)
            return False
        contact = self.contact()
        try:
            if contact.id is None:
                self.saved = self.store.add(contact)
            else:
                self.saved = self.store.update(contact)
        except (ContactError, StoreError) as exc:
            self.show_problems(
                [tr("The contact could not be saved: {error}", error=problem_text(exc))]
            )
            return False
        self.accept()
        return True

    def delete(self) -> bool:
        if self.original.id is None:
            return False
        if not widgets.ask(
            self,
            tr("Delete contact"),
            tr("Delete {name} from the contacts?", name=self.original.name),
        ):
            return False
        try:
            self.store.delete(self.original.id)
        except StoreError as exc:
            self.show_problems(
                [tr("The contact could not be deleted: {error}", error=problem_text(exc))]
            )
            return False
        self.deleted = True
        self.accept()
        return True


def presence_account_box(accounts: Sequence[str], chosen: str) -> QComboBox:
    """A choice of the presence account: first "as the contact source chooses" (""),
    then the accounts; a chosen account that is no longer set up stays offered (and
    selected) so that saving the contact does not lose it."""
    box = QComboBox()
    box.addItem(tr("As the contact source chooses"), "")
    for name in accounts:
        box.addItem(name, name)
    if chosen:
        index = next(
            (i for i in range(1, box.count()) if box.itemData(i).casefold() == chosen.casefold()),
            -1,
        )
        if index < 0:
            box.addItem(tr("{account} (not set up)", account=chosen), chosen)
            index = box.count() - 1
        box.setCurrentIndex(index)
    return box


def _account_names(parent: QWidget | None) -> list[str]:
    """The enabled accounts of the parent window's application (none without one)."""
    settings = getattr(getattr(parent, "application", None), "settings", None)
    return [a.name for a in getattr(settings, "accounts", ()) if getattr(a, "enabled", False)]
