"""Bytes to text when the declared charset may be wrong, missing or unknown.

Chinese mail is often labelled ``gb2312`` while it holds GBK or GB18030 characters, labelled
``iso-8859-1`` or ``utf-8`` while it holds GBK or Big5, or not labelled at all. Any byte
string decodes as Latin-1, and most decode as both GB18030 and Big5, so "it decoded without
an error" proves little. The order here:

1. pure ASCII is ASCII;
2. valid UTF-8 with multi-byte sequences is UTF-8 whatever the label says (GBK or Big5
   text is valid UTF-8 by chance only for a few bytes);
3. the declared charset, widened to its superset (gb2312/gbk → gb18030, big5 → cp950,
   iso-8859-1 → windows-1252); when a single-byte charset is declared, a Chinese reading
   that reads as Chinese wins over it;
4. GB18030 and Big5, the one whose characters read as Chinese wins;
5. detection with ``charset-normalizer`` when the high bytes come in runs (a multi-byte
   or non-Latin text), Windows-1252 when they stand alone (Western accented letters);
6. the declared charset (or UTF-8) with replacement characters, and a warning.

Every step past 2 that changes what the label said leaves a warning for the administrator.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Characters that make up most of everyday Chinese (simplified and traditional, helpdesk
# words included): a reading made of them is Chinese, a reading of rare characters, kana or
# Cyrillic is the wrong charset.
_COMMON = frozenset(
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家"
    "学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见"
    "经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话"
    "儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真"
    "听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立"
    "马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制"
    "解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎"
    "元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武"
    "半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黑断线医局"
    "讲您请谢好故障设备维修坏问题服务客户订单发票退款换货价格报告产品型号系统软件升级安装登录"
    "密码账号网络连接错误失败成功处理回复确认收到附件邮件电话联系尽快今天明天昨天上午下午时间"
    "已经正在需要可以能否麻烦帮助支持工程师现场检查更新版本数据文件打印屏幕显示启动关闭运行"
    "测试合同到期续费金额支付付款发货物流快递地址公司部门经理总监老师先生女士同事团队项目计划"
    "谢您好吗呢吧啊哦嗯的了着过把被让给跟向对从往在于为以及和与或但而且因为所以如果虽然还是"
    "们個這來說為國時會對過還沒發學從動兩現長樣將與問機給幾業間東電門經頭見實點種聲話兒當體處"
    "師書員車報馬張難數氣關並內產麼開無請謝設備維導幫務單據貨訂購號區應辦運術聯繫統軟體網路連"
    "錯誤敗處理覆認收檔郵箱話盡帳號碼顯啟動關閉測試約費額發貨遞址總監團隊劃這們您謝們嗎題"
)  # fmt: skip

_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "euc_cn": "gb18030",
    "hz": "gb18030",
    "big5": "cp950",
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
_LABELS = {"gb18030": "GB18030", "cp950": "Big5", "utf_8": "UTF-8", "cp1252": "Windows-1252"}
_CJK_CANDIDATES = ("gb18030", "cp950", "big5hkscs")
# Real Chinese text scores 1 to 2 (most characters common); Latin text read as GB18030 or
# Big5 pairs accented letters into rare characters and scores near 0.
_CHINESE_THRESHOLD = 0.5
_SAMPLE = 4000  # characters scored: enough to tell, bounded on a large body


@dataclass(frozen=True)
class Decoded:
    """Text and, when the label was not taken as it was, why (for the administrator)."""

    text: str
    warning: str = ""
    charset: str = "utf_8"


def codec_name(label: str | None) -> str | None:
    """Python's name for a MIME charset label, or None when Python has no such codec."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("unknown-8bit", "x-unknown", "unknown", "8bit", "default"):
        return None
    try:
        return codecs.lookup(label).name.replace("-", "_")
    except (LookupError, ValueError):
        return None


def _label(codec: str) -> str:
    return _LABELS.get(codec, codec.replace("_", "-"))


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(("cp12", "iso8859", "latin", "mac_", "cp437", "cp85", "koi8"))


def chinese_score(text: str) -> float:
    """How Chinese a reading looks: common characters count for; kana, hangul, Greek,
    Cyrillic and the other alphabets of U+0180–U+07FF (where GBK bytes land when read as
    UTF-8), bopomofo, box drawing, private use and replacement characters against."""
    score = 0
    counted = 0
    for ch in text[:_SAMPLE]:
        o = ord(ch)
        if o < 0x80:
            continue
        counted += 1
        if ch in _COMMON:
            score += 2
        elif (
            0x3040 <= o <= 0x30FF  # kana
            or 0x3100 <= o <= 0x312F  # bopomofo
            or 0xAC00 <= o <= 0xD7AF  # hangul
            or 0x0180 <= o <= 0x07FF  # Latin Extended-B to Arabic: GBK bytes read as UTF-8
            or 0x2500 <= o <= 0x257F  # box drawing
            or 0xE000 <= o <= 0xF8FF  # private use
            or o == 0xFFFD
        ):
            score -= 3
    return score / counted if counted else 0.0


def _paired_high_bytes(data: bytes) -> bool:
    """Whether most bytes ≥ 0x80 stand next to another one, as in a double-byte charset
    (Latin text has lone accented letters between ASCII ones)."""
    high = paired = 0
    n = len(data)
    for i, b in enumerate(data):
        if b >= 0x80:
            high += 1
            if (i > 0 and data[i - 1] >= 0x80) or (i + 1 < n and data[i + 1] >= 0x80):
                paired += 1
    return high >= 2 and paired / high >= 0.8


def _best_chinese(data: bytes) -> tuple[str, str] | None:
    best: tuple[float, str, str] | None = None
    for codec in _CJK_CANDIDATES:
        text = _strict(data, codec)
        if text is None:
            continue
        score = chinese_score(text)
        if score >= _CHINESE_THRESHOLD and (best is None or score > best[0]):
            best = (score, codec, text)
    return (best[2], best[1]) if best else None


def _western(data: bytes) -> tuple[str, str]:
    text = _strict(data, "cp1252")
    return (text, "cp1252") if text is not None else (data.decode("latin_1"), "latin_1")


def _chinese_rival(data: bytes, codec: str | None, utf8: str) -> Decoded | None:
    """A short GBK or Big5 text can be valid UTF-8 by chance ("一" is D2 BB, Cyrillic "һ" in
    UTF-8): the Chinese reading is taken when it reads as more Chinese than the UTF-8 one."""
    wide = _SUPERSETS.get(codec, codec) if codec else None
    if wide in _CJK_CANDIDATES:
        text = _strict(data, wide)
        reading = (text, wide) if text is not None else None
    elif codec is None:
        reading = _best_chinese(data)
    else:
        return None
    if reading and chinese_score(reading[0]) > chinese_score(utf8):
        return Decoded(reading[0], charset=reading[1])
    return None


def _detect(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    match = from_bytes(data).best()
    if match is None:
        return None
    codec = codec_name(match.encoding)
    if codec is None:
        return None
    text = _strict(data, codec)
    return (text, codec) if text is not None else None


def _differs(declared: str | None, codec: str, what: str) -> str:
    if declared is None:
        return _("%(what)s: no charset declared, read as %(charset)s") % {
            "what": what,
            "charset": _label(codec),
        }
    return _("%(what)s: charset %(declared)s declared but the text is %(charset)s") % {
        "what": what,
        "declared": declared,
        "charset": _label(codec),
    }


def decode_bytes(data: bytes, declared: str | None, *, what: str = "") -> Decoded:
    """``data`` as text; ``declared`` is the charset label as written in the mail (or None),
    ``what`` names the part for the warning ("body", "subject")."""
    what = what or _("text")
    if data.isascii():
        return Decoded(data.decode("ascii"), charset="ascii")
    codec = codec_name(declared)
    if codec and codec.startswith(("utf_16", "utf_32")):
        text = _strict(data, codec)
        if text is not None:
            return Decoded(text, charset=codec)
    text = _strict(data, "utf_8")
    if text is not None:
        rival = _chinese_rival(data, codec, text)
        if rival is not None:
            return rival if codec else Decoded(rival.text, _differs(None, rival.charset, what),
                                               rival.charset)  # fmt: skip
        same = codec in (None, "utf_8", "ascii") or (codec and codec.startswith("utf"))
        return Decoded(text, "" if same else _differs(declared, "utf_8", what), "utf_8")
    if codec:
        wide = _SUPERSETS.get(codec, codec)
        text = _strict(data, wide)
        if text is not None:
            # A Latin label on Chinese bytes, or one Chinese label on the other's bytes
            # (Big5 reads as GB18030 without an error): a reading that reads as Chinese wins.
            # Only a reading with something wrong in it is second-guessed: a short valid
            # text in the declared charset (a pinyin "ó") is not swapped for a guess.
            doubtful = _is_single_byte(wide) or (
                wide in _CJK_CANDIDATES
                and (chinese_score(text) < 0 or _strict(data, codec) is None)
            )
            chinese = _best_chinese(data) if doubtful else None
            if chinese and chinese[1] != wide and chinese_score(chinese[0]) > chinese_score(text):
                return Decoded(chinese[0], _differs(declared, chinese[1], what), chinese[1])
            if wide != codec and _strict(data, codec) is None:
                return Decoded(text, _differs(declared, wide, what), wide)
            return Decoded(text, charset=wide)
    # Lone high bytes between ASCII are Western accented letters; detection is unreliable on
    # short texts (it reads French as Central European), so it is asked only about runs.
    guesses = [_best_chinese(data)]
    guesses += [_detect(data)] if _paired_high_bytes(data) else [_western(data)]
    for guess in guesses:
        if guess:
            return Decoded(guess[0], _differs(declared, guess[1], what), guess[1])
    fallback = _SUPERSETS.get(codec, codec) if codec else "utf_8"
    text = data.decode(fallback, errors="replace")
    warning = _("%(what)s: the text is not valid %(charset)s; unreadable bytes were replaced") % {
        "what": what,
        "charset": _label(fallback),
    }
    return Decoded(text, warning, fallback)
