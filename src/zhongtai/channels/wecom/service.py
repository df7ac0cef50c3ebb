"""The unit's WeCom apps and what their callback receives.

``wecom_app_save`` keeps an app's corp id, token and EncodingAESKey (checked before they
are stored, so that a typo shows in the form, not as failing callbacks). The callback
(``callback_verify`` for WeCom's GET, ``callback_receive`` for its POST) checks every
request's signature before it decrypts anything, keeps each message once (WeCom retries a
callback it got no answer to within 5 seconds) and records the last error on the app for
the admin to see.

What a self-built app's callback carries is the staff's side: messages members send to the
app, and 客户联系 events (a member added, edited or lost an external contact). The
content of chats with customers is not sent to callbacks (it needs WeCom's separate chat
archive). An ``add_external_contact`` event whose external user id no contact holds yet
is listed in the chat sidebar for the agent to link to a contact.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.channels.models import MAX_ERROR, WeComApp, WeComInbound
from zhongtai.channels.wecom import selectors
from zhongtai.channels.wecom.crypto import WeComCrypto, aes_key_decode
from zhongtai.channels.wecom.errors import WeComError
from zhongtai.channels.wecom.messages import WeComMessage, message_parse
from zhongtai.core.errors import Conflict, InvalidInput
from zhongtai.core.permissions import ensure_can


@dataclass(frozen=True)
class WeComAppInput:
    name: str
    corp_id: str
    token: str
    encoding_aes_key: str
    agent_id: int | None = None
    is_active: bool = True


def _fill(app: WeComApp, data: WeComAppInput) -> None:
    app.name = data.name.strip()
    app.corp_id = data.corp_id.strip()
    app.token = data.token.strip()
    app.encoding_aes_key = data.encoding_aes_key.strip()
    app.agent_id = data.agent_id
    app.is_active = data.is_active
    errors: list[dict[str, str]] = []
    try:
        app.full_clean(exclude=["tenant"], validate_unique=False)
    except ValidationError as exc:
        errors.extend(InvalidInput.from_validation_error(exc).errors)
    try:
        aes_key_decode(app.encoding_aes_key)
    except WeComError:
        errors.append(
            {
                "field": "encoding_aes_key",
                "message": _("The EncodingAESKey is the 43 letters and digits WeCom shows."),
            }
        )
    if not app.token.isalnum():
        errors.append({"field": "token", "message": _("The token is letters and digits.")})
    if errors:
        raise InvalidInput(errors=errors)


@transaction.atomic
def wecom_app_save(*, actor: Actor, data: WeComAppInput, app_id: int | None = None) -> WeComApp:
    ensure_can(actor, "integrations.manage")
    app = (
        selectors.wecom_app_get(actor=actor, app_id=app_id)
        if app_id is not None
        else WeComApp(tenant=actor.tenant)
    )
    _fill(app, data)
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError as exc:
        raise Conflict(_("Another WeCom app has this name."), code="duplicate") from exc
    return app


@transaction.atomic
def wecom_app_delete(*, actor: Actor, app_id: int) -> None:
    ensure_can(actor, "integrations.manage")
    selectors.wecom_app_get(actor=actor, app_id=app_id).delete()


def _crypto(app: WeComApp) -> WeComCrypto:
    return WeComCrypto(app.token, app.encoding_aes_key, app.corp_id)


def _failed(app: WeComApp, error: WeComError) -> None:
    WeComApp.objects.filter(pk=app.pk).update(
        last_error=f"{int(error.code)} {error}"[:MAX_ERROR], last_error_at=timezone.now()
    )


def callback_verify(
    *, app: WeComApp, signature: str, timestamp: str, nonce: str, echostr: str
) -> str:
    """WeCom's URL verification: the decrypted echostr, or ``WeComError``."""
    try:
        plain = _crypto(app).verify_url(signature, timestamp, nonce, echostr)
    except WeComError as error:
        _failed(app, error)
        raise
    WeComApp.objects.filter(pk=app.pk).update(last_callback_at=timezone.now(), last_error="")
    return plain


def _dedupe_key(message: WeComMessage) -> str:
    if message.msg_id:
        return f"msg:{message.msg_id}"
    stamp = int(message.create_time.timestamp()) if message.create_time else 0
    parts = (message.event, message.change_type, message.from_user, message.external_user_id)
    return f"event:{stamp}:" + ":".join(parts)


def callback_receive(
    *, app: WeComApp, signature: str, timestamp: str, nonce: str, body: bytes
) -> tuple[WeComInbound, bool]:
    """Check, decrypt and keep one callback; returns the stored message and whether it is
    new (a retry of one already kept is not stored twice). ``WeComError`` on a bad
    signature, body or key, recorded on the app."""
    try:
        message = message_parse(_crypto(app).decrypt(signature, timestamp, nonce, body))
    except WeComError as error:
        _failed(app, error)
        raise
    now = timezone.now()
    with transaction.atomic():
        inbound, created = WeComInbound.objects.get_or_create(
            app=app,
            dedupe_key=_dedupe_key(message)[:200],
            defaults={
                "tenant_id": app.tenant_id,
                "msg_type": message.msg_type[:40],
                "event": message.event[:60],
                "change_type": message.change_type[:60],
                "from_user": (message.user_id or message.from_user)[:128],
                "external_user_id": message.external_user_id[:128],
                "content": message.content,
                "sent_at": message.create_time,
                "raw": dict(message.raw),
            },
        )
        WeComApp.objects.filter(pk=app.pk).update(last_callback_at=now, last_error="")
    return inbound, created
