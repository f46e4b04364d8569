"""通知: a message to each user a step concerns, in-app and by e-mail.

In-app: the top bar's unread count and the notifications page (a user's own only). By
e-mail: through SMTP_URL (smtp://host:port, smtps:// for TLS, user:password@ allowed),
else into the instance's outbox folder (one .eml per message) on the embedded default.
E-mails go after the step's commit, through the job queue (inline without Redis).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from saas.domain.messages import Msg
from saas.extensions import db
from saas.i18n import text
from saas.models import Notification, User
from saas.services.base import after_commit, not_found, transaction
from saas.timeutil import utcnow
from tenants.context import require


def send(user_ids, kind: str, subject: Msg, link: str | None,
         key: str | None = None) -> list[Notification]:
    """Notify each of ``user_ids`` (the acting user left out), inside the caller's
    transaction; their e-mails are queued once it commits. A ``key`` (a reminder's item
    and day) reaches each user once: those who have it already are skipped, and the
    unique (user_id, key) index settles a race in a savepoint."""
    ctx = require()
    wanted = sorted(set(user_ids) - {ctx.user_id})
    if key is not None:
        wanted = sorted(set(wanted) - set(db.session.execute(select(Notification.user_id).where(
            Notification.key == key, Notification.user_id.in_(wanted))).scalars()))
    made = []
    for uid in wanted:
        notification = Notification(region_id=ctx.region_id, user_id=uid, kind=kind,
                                    subject_msgid=subject.msgid,
                                    subject_params=subject.params, link=link, key=key)
        if key is None:
            db.session.add(notification)
        elif not _added_once(notification):
            continue
        made.append(notification)
    db.session.flush()
    if made:
        ids, region_id = [n.id for n in made], ctx.region_id
        after_commit(lambda: _queue_email(region_id, ids))
    return made


def _added_once(notification: Notification) -> bool:
    try:
        with db.session.begin_nested():
            db.session.add(notification)
            db.session.flush()
    except IntegrityError:  # a concurrent run sent this key to this user first
        return False
    return True


def users_with_roles(roles, institution_id: int | None = None) -> list[int]:
    """Active users of the acting region with one of ``roles`` (of one institution)."""
    statement = select(User.id).where(User.region_id == require().region_id,
                                      User.role.in_(list(roles)), User.active.is_(True))
    if institution_id is not None:
        statement = statement.where(User.institution_id == institution_id)
    return list(db.session.execute(statement).scalars())


def subject_of(notification: Notification) -> str:
    """The subject in the reader's language; its parameters translated where they are
    labels (a measure's name), names and dates as they are."""
    params = {k: Msg(v) if isinstance(v, str) else v
              for k, v in (notification.subject_params or {}).items()}
    return text(Msg(notification.subject_msgid, params))


def mine_statement():
    """The acting user's notifications, unread first, then newest."""
    return (select(Notification).where(Notification.user_id == require().user_id)
            .order_by(Notification.read, Notification.id.desc()))


def unread_count() -> int:
    return db.session.execute(select(func.count()).select_from(Notification).where(
        Notification.user_id == require().user_id, Notification.read.is_(False))).scalar()


def mark_read(notification_id: int) -> Notification:
    """Read: another user's notification is not found."""
    with transaction():
        notification = db.session.execute(select(Notification).where(
            Notification.id == notification_id,
            Notification.user_id == require().user_id)).scalar_one_or_none()
        if notification is None:
            raise not_found(Notification, notification_id)
        notification.read_at = notification.read_at or utcnow()
        notification.read = True
    return notification


def mark_all_read() -> int:
    with transaction():
        unread = db.session.execute(mine_statement().where(
            Notification.read.is_(False))).scalars().all()
        for notification in unread:
            notification.read, notification.read_at = True, utcnow()
    return len(unread)


# ---------------------------------------------------------------------------- e-mail
def _queue_email(region_id: int, ids: list[int]) -> None:
    from saas.jobs import enqueue
    from saas.jobs.notifications import email_notifications

    enqueue(email_notifications, region_id, ids)


def email(ids: list[int]) -> int:
    """Send the notifications ``ids`` not e-mailed yet (a job; idempotent): through
    SMTP_URL, else into the outbox folder. Returns how many went out."""
    with transaction():
        pending = db.session.execute(
            select(Notification).where(Notification.id.in_(ids),
                                       Notification.emailed_at.is_(None))
            .order_by(Notification.id)).scalars().all()
        messages = [(n, _message(n)) for n in pending if n.user.email]
        _deliver([m for _n, m in messages])
        for notification, _m in messages:
            notification.emailed_at = utcnow()
    return len(messages)


def _message(notification: Notification) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "pact@localhost"
    message["To"] = notification.user.email
    message["Subject"] = str(Msg(notification.subject_msgid, notification.subject_params))
    link = (config.get("PUBLIC_URL") or "").rstrip("/") + (notification.link or "")
    message.set_content(f"{message['Subject']}\n\n{link}\n")
    return message


def _deliver(messages: list[EmailMessage]) -> None:
    url = current_app.config.get("SMTP_URL") or ""
    if not messages:
        return
    if not url:
        outbox = Path(current_app.config["INSTANCE_DIR"]) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        for message in messages:
            name = f"{utcnow():%Y%m%dT%H%M%S%f}-{abs(hash(message['To'])) % 10**8}.eml"
            (outbox / name).write_bytes(bytes(message))
        return
    parts = urlsplit(url)
    connect = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with connect(parts.hostname or "localhost", parts.port or 25, timeout=10) as smtp:
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        for message in messages:
            smtp.send_message(message)
