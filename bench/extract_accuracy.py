"""Extraction accuracy of title, date, agency, doc_no and index_no over ALL of ../shared/corpora.

Each extracted value is compared with evidence read from the raw file by separate, simple
regexes (never by the extractor's own code):

* Pingtan page.txt: the crawler header (标题, 发布时间, 发布机构, 文号) and, for 索引号, the
  ``索 引 号：`` cell of the flattened disclosure block in the raw body. 发布机构 values that name
  the site (中国平潭, 中国平潭网, 桌面) or are empty are not agencies: there an empty agency, or
  one the raw body states as ``来源：`` / ``发文机关：``, counts as right. A filled 发布机构 is
  right when equal, or when the extractor took the body's 发文机关 (the formal metadata).
  An empty 文号 header: right when the extracted 文号 is empty or is the 文号 the raw body opens
  with / the title carries (a 文号 merely cited in the text would be wrong).
* Jiangxi html: ``<meta name="ArticleTitle|PubDate">`` and the ``xxgkTitle`` table cells
  (索引号, 发文机关, 文号); JX_text: no metadata at all, so every field must stay empty except a
  title that equals the sibling page's ArticleTitle.
* Lishui: ``<meta>`` ArticleTitle/PubDate and the ``xxgk_article`` table cells.
* seed: the facts stated in ../shared/corpora/SOURCES.md and the project brief.
* Laws (title and date only): the first ``# `` line; the version date in the file name, or else
  the first history line that starts with a ``YYYY年M月D日`` / ``YYYY-MM-DD`` date.

Usage: python3 bench/extract_accuracy.py [CORPORA_DIR]
"""

from __future__ import annotations

import html
import re
import sys
from collections import defaultdict
from pathlib import Path

from indexer.errors import ExtractError
from indexer.extract import discover, extract_source

FIELDS = ("title", "date", "agency", "doc_no", "index_no")
SITE_NAMES = {"中国平潭", "中国平潭网", "桌面", ""}
#: Pingtan 文号 taken from the body or title when the header has none, printed for review by eye
FROM_BODY: list[str] = []
SEED = {
    "title": "关于区政协六届三次会议第13号提案的复函",
    "date": "2024-06-03",
    "agency": "区商务局(区金融办)",
    "doc_no": "",
    "index_no": "00250260-2/2024-31773",
}


def squash(s: str) -> str:
    return "".join(s.split())


def meta(raw: str, name: str) -> str:
    m = re.search(rf"""<meta\s+name=["']{name}["']\s+content=["']([^"']*)["']""", raw, re.I)
    return html.unescape(m.group(1)).strip() if m else ""


def pingtan_evidence(raw: str, doc) -> dict[str, tuple[str, object]]:
    head, _, body = raw.partition("==================== 正文 ====================")
    hdr = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    hdr = {k.strip(): v.strip() for k, v in hdr.items()}
    out: dict[str, tuple[str, object]] = {}
    out["title"] = ("header 标题", squash(doc.title) == squash(hdr["标题"]))
    out["date"] = ("header 发布时间", doc.date == hdr["发布时间"][:10])
    publisher = hdr.get("发布机构", "")
    stated = set(re.findall(r"(?:来源|发文机关)[:：]\s*([^\s：:]+)", body)) - SITE_NAMES
    if publisher in SITE_NAMES:
        ok = doc.agency == "" or doc.agency in stated
        out["agency"] = ("site-name/empty 发布机构: empty or body 来源/发文机关", ok)
    else:
        out["agency"] = ("header 发布机构 (or body 发文机关)", doc.agency in {publisher} | stated)
    wenhao = hdr.get("文号", "")
    if wenhao and wenhao != "无":
        out["doc_no"] = ("header 文号", doc.doc_no == wenhao)
    elif wenhao == "无":
        out["doc_no"] = ("header 文号 '无' → empty", doc.doc_no == "")
    else:
        opening = re.sub(r"^.*?(?:QQ空间|-->)\s*", "", body.strip()[:3000], count=1, flags=re.S)
        own = doc.doc_no and (opening.startswith(doc.doc_no) or doc.doc_no in hdr["标题"])
        if doc.doc_no:
            FROM_BODY.append(f"{doc.doc_no}  ← {hdr['标题'][:40]}")
            how = "empty header 文号, one found: must open the body or be in the title (listed)"
        else:
            how = "empty header 文号, none found"
        out["doc_no"] = (how, bool(doc.doc_no == "" or own))
    m = re.search(r"索\s*引\s*号\s*[:：]\s*(\S+)", body)
    if m:
        out["index_no"] = ("body 索 引 号 cell", doc.index_no == m.group(1))
    else:
        out["index_no"] = ("no 索引号 in the file → empty", doc.index_no == "")
    return out


def jiangxi_evidence(raw: str, doc) -> dict[str, tuple[str, object]]:
    def cell(label: str) -> str:
        spaced = r"\s*".join(label)
        m = re.search(rf"{spaced}\s*[:：]\s*(?:</span>)?\s*</b>\s*([^<]*)<", raw)
        value = m.group(1).strip() if m else ""
        return "" if value == "无" else value  # 无 = "none", as in Pingtan's 文号 header

    return {
        "title": ("<meta ArticleTitle>", doc.title == meta(raw, "ArticleTitle")),
        "date": ("<meta PubDate>", doc.date == meta(raw, "PubDate")[:10]),
        "agency": (
            "xxgkTitle 发文机关 cell",
            doc.agency == (cell("发文机关") or meta(raw, "ContentSource")),
        ),
        "doc_no": ("xxgkTitle 文号 cell", doc.doc_no == cell("文号")),
        "index_no": ("xxgkTitle 索引号 cell", doc.index_no == cell("索引号")),
    }


def jx_text_evidence(path: Path, doc) -> dict[str, tuple[str, object]]:
    page = path.parent.parent / "html" / (path.stem + ".html")
    title = meta(page.read_text("utf-8"), "ArticleTitle") if page.is_file() else ""
    first = next((ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip()), "")
    expected_title = title if first == title else ""
    how = "no metadata in the file → empty"
    return {
        "title": (
            "first line if it is the page's ArticleTitle, else empty",
            doc.title == expected_title,
        ),
        "date": (how, doc.date == ""),
        "agency": (how, doc.agency == ""),
        "doc_no": (how, doc.doc_no == ""),
        "index_no": (how, doc.index_no == ""),
    }


def lishui_evidence(raw: str, doc) -> dict[str, tuple[str, object]]:
    def cell(label: str) -> str:
        m = re.search(rf"<td[^>]*>\s*{label}\s*</td>\s*<td[^>]*>\s*([^<]*?)\s*</td>", raw)
        return m.group(1) if m else ""

    return {
        "title": ("<meta ArticleTitle>", doc.title == meta(raw, "ArticleTitle")),
        "date": ("<meta PubDate>", doc.date == meta(raw, "PubDate")[:10]),
        "agency": ("xxgk_article 发布机构 cell", doc.agency == cell("发布机构")),
        "doc_no": ("xxgk_article 文号 cell", doc.doc_no == cell("文号")),
        "index_no": ("xxgk_article 索引号 cell", doc.index_no == cell("索引号")),
    }


def law_evidence(path: Path, raw: str, doc) -> dict[str, tuple[str, object]]:
    heading = next((ln[2:].strip() for ln in raw.splitlines() if ln.startswith("# ")), "")
    version = re.search(r"\((\d{4}-\d{2}-\d{2})\)\.md$", path.name)
    if version:
        date_how, expected = "file-name version date", version.group(1)
    else:
        header = raw.split("<!-- INFO END -->")[0]
        m = re.search(r"^(\d{4})(?:年|-)(\d{1,2})(?:月|-)(\d{1,2})", header, re.M)
        expected = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else ""
        date_how = "first line starting with a date (no version date in the name)"
    return {
        "title": (
            "first '# ' heading (runs of spaces as one)",
            doc.title == " ".join(heading.split()),
        ),
        "date": (date_how, doc.date == expected),
    }


def evidence(source, doc) -> tuple[str, dict[str, tuple[str, object]]]:
    rel, raw = source.relpath, source.path.read_text("utf-8", errors="replace")
    if rel.startswith("seed/"):
        return "seed", {f: ("SOURCES.md facts", getattr(doc, f) == v) for f, v in SEED.items()}
    if rel.startswith("pingtan/"):
        return "pingtan page.txt", pingtan_evidence(raw, doc)
    if rel.startswith("jiangxi-gov-html/html/"):
        return "jiangxi html", jiangxi_evidence(raw, doc)
    if rel.startswith("jiangxi-gov-html/JX_text/"):
        return "jiangxi JX_text", jx_text_evidence(source.path, doc)
    if rel.startswith("lishui"):
        return "lishui html", lishui_evidence(raw, doc)
    if rel.startswith("lawrefbook-laws/"):
        return "laws markdown", law_evidence(source.path, raw, doc)
    raise SystemExit(f"no evidence rule for {rel}")


def main(root: Path) -> None:
    tally: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    failures: dict[str, list[str]] = defaultdict(list)
    wrong: list[str] = []
    for source in discover(root):
        try:
            docs = extract_source(source)
        except ExtractError as exc:
            failures[exc.reason].append(source.relpath)
            continue
        for doc in docs:
            group, checks = evidence(source, doc)
            for field, (how, ok) in checks.items():
                cell = tally[(group, field, how)]
                cell[0] += 1
                cell[1] += bool(ok)
                if not ok:
                    wrong.append(f"{group} {field}: {source.relpath} → {getattr(doc, field)!r}")
    print("| source | field | n | correct | % | judged against |")
    print("|---|---|---:|---:|---:|---|")
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (group, field, how), (n, ok) in sorted(
        tally.items(), key=lambda kv: (kv[0][0], FIELDS.index(kv[0][1]), kv[0][2])
    ):
        print(f"| {group} | {field} | {n} | {ok} | {100 * ok / n:.1f} | {how} |")
        totals[field][0] += n
        totals[field][1] += ok
    for field in FIELDS:
        n, ok = totals[field]
        print(f"| **all** | {field} | {n} | {ok} | {100 * ok / n:.1f} | |")
    print(f"\nfiles not extracted (ExtractError), {sum(map(len, failures.values()))}:")
    for reason, paths in sorted(failures.items()):
        print(f"  {reason}: {len(paths)} ({', '.join(Path(p).stem for p in paths)})")
    print(
        f"\nPingtan 文号 found in the body opening / title with an empty header, {len(FROM_BODY)}:"
    )
    for line in FROM_BODY:
        print("  " + line)
    print(f"\nwrong values, {len(wrong)}:")
    for line in wrong:
        print("  " + line)


if __name__ == "__main__":
    main(
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[2] / "shared" / "corpora"
    )
