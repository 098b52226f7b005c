"""Platform exports and scraper output, read from fixtures written here in the real layouts
(tests/fixtures/exports): detection, attribution to creators, Meta's mojibake, stable ids,
folders and zips, and every way a file can be bad."""

from __future__ import annotations

import json
import lzma
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import pytest

import skjult
from skjult.items import NO_TEXT, Notice, Opened, Skip, Unreadable
from skjult.model import Post
from skjult.readers.base import ReadOptions
from skjult.readers.detect import FORMATS, read_path
from skjult.readers.meta import repair_text

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
IG_2025 = FIXTURES / "instagram-sofie.strand-2025-10-02-Xy12Ab"
FB_2024 = FIXTURES / "facebook-karenholm-2025-09-30-Zz9yX"
TAKEOUT = FIXTURES / "takeout-20251001T101010Z-001"


def read(path: Path | str, **kwargs: object) -> list[object]:
    return list(read_path(str(path), **kwargs))  # type: ignore[arg-type]


def posts_of(items: list[object]) -> list[Post]:
    return [i for i in items if isinstance(i, Post)]


def formats_of(items: list[object]) -> set[str]:
    return {i.format for i in items if isinstance(i, Opened)}


def zip_folder(folder: Path, target: Path, *, inside: str | None = None) -> Path:
    """A zip as the platforms hand it out: members at the top, or under one folder."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                name = file.relative_to(folder).as_posix()
                archive.write(file, f"{inside}/{name}" if inside else name)
        archive.writestr("__MACOSX/._posts_1.json", b"\x00\x05\x16\x07junk")
    return target


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("instagram-sofie.strand-2025-10-02-Xy12Ab", "instagram"),
        ("instagram-jonas_kr-2022-05-17-Qw3rTy", "instagram"),
        ("instagram-legacy", "instagram"),
        ("facebook-karenholm-2025-09-30-Zz9yX", "facebook"),
        ("tiktok-2025/user_data_tiktok.json", "tiktok"),
        ("tiktok-2023", "tiktok"),
        ("takeout-20251001T101010Z-001", "youtube-takeout"),
        ("youtube-api/videos.json", "youtube-api"),
        ("apify/instagram-scraper.json", "apify-instagram"),
        ("apify/instagram-scraper.csv", "apify-instagram"),
        ("apify/tiktok-scraper.json", "apify-tiktok"),
        ("apify/tiktok-scraper.csv", "apify-tiktok"),
        ("instaloader", "instaloader"),
        ("graph/media.json", "instagram-graph"),
        ("crowdtangle/instagram.csv", "crowdtangle"),
        ("crowdtangle/facebook.csv", "crowdtangle"),
        ("mcl/posts.json", "meta-content-library"),
        ("mcl/posts.csv", "meta-content-library"),
    ],
)
def test_each_source_is_detected_by_content(relative: str, expected: str) -> None:
    items = read(FIXTURES / relative)
    assert formats_of(items) == {expected}
    assert not [i for i in items if isinstance(i, Unreadable)]
    assert posts_of(items)


def test_every_format_is_listed_and_has_a_reader() -> None:
    for fmt in FORMATS.values():
        assert fmt.read_file or fmt.read_tree, fmt.name
        assert fmt.hand_in and fmt.title


def test_instagram_2025_export_posts_reels_stories_archive_and_username() -> None:
    items = read(IG_2025)
    posts = posts_of(items)
    assert {p.creator for p in posts} == {"sofie.strand"}
    assert {p.platform for p in posts} == {"instagram"}
    texts = [p.text for p in posts]
    # carousel caption at post level, single-media caption on the media, mojibake repaired
    assert "Reklame for @kaffekompagniet | Søndag på Nørrebro med årets første æblekage ☕" in texts
    assert "Mine nye løbesko fra @fjordfit 🏃\u200d♀️ Brug rabatkoden SOFIE15 på fjordfit.dk" in texts
    assert any(t.startswith("3 måder at style") for t in texts)  # reel
    assert "Swipe op – 20 % med koden SOFIE20 🛍" in texts  # story
    assert any("@hudlab" in t for t in texts)  # archived post
    assert not any("kjolen" in t for t in texts)  # comments are not posts
    # posts_2 after posts_1; a post without caption and an empty story are counted as such
    no_text = [i for i in items if isinstance(i, Skip)]
    assert len(no_text) == 2 and all(s.kind == NO_TEXT for s in no_text)
    assert all(p.created_at and p.created_at.endswith("Z") for p in posts)


def test_instagram_ids_are_stable_and_distinct() -> None:
    first = [p.id for p in posts_of(read(IG_2025))]
    second = [p.id for p in posts_of(read(IG_2025))]
    assert first == second
    assert len(set(first)) == len(first) and all(i and i.startswith("ig-") for i in first)


def test_instagram_username_falls_back_to_the_folder_name_and_legacy_profile() -> None:
    [post] = posts_of(read(FIXTURES / "instagram-jonas_kr-2022-05-17-Qw3rTy"))
    assert post.creator == "jonas_kr" and post.text.startswith("Samarbejde med @cykelværkstedet")
    legacy = read(FIXTURES / "instagram-legacy")
    [post] = posts_of(legacy)
    assert post.creator == "line.legacy" and post.text == "Ny kollektion fra @strikhuset!! #ad"
    assert post.created_at == "2019-06-01T10:22:31Z"
    assert not any(p.text == "hej" for p in posts_of(legacy))  # "direct" messages are not posts


def test_instagram_zip_with_a_root_folder_streams_members(tmp_path: Path) -> None:
    archive = zip_folder(IG_2025, tmp_path / "download.zip",
                         inside="instagram-sofie.strand-2025-10-02-Xy12Ab")
    from_zip = posts_of(read(archive))
    from_folder = posts_of(read(IG_2025))
    assert [p.text for p in from_zip] == [p.text for p in from_folder]
    assert [p.id for p in from_zip] == [p.id for p in from_folder]
    assert from_zip[0].source and from_zip[0].source.startswith(f"{archive}:instagram-sofie")


def test_instagram_zip_without_root_folder_takes_the_name_from_personal_information(
        tmp_path: Path) -> None:
    archive = zip_folder(IG_2025, tmp_path / "x.zip")
    assert {p.creator for p in posts_of(read(archive))} == {"sofie.strand"}


def test_html_export_says_how_to_request_json() -> None:
    [problem] = [i for i in read(FIXTURES / "instagram-html") if isinstance(i, Unreadable)]
    assert "HTML" in problem.message and "JSON" in problem.message


def test_facebook_text_author_and_entries_without_text() -> None:
    items = read(FB_2024)
    posts = posts_of(items)
    assert {p.creator for p in posts} == {"Karen Holm Bæk"}
    assert posts[0].text == "Så glad for at samarbejde med @Bryggeriet ☕ Brug koden KAREN10"
    assert posts[1].text == "Weekendtur til Bornholm – røget sild og sol"  # from the attachment
    skips = [i for i in items if isinstance(i, Skip)]
    assert len(skips) == 2 and all(s.kind == NO_TEXT for s in skips)
    assert "profilbillede" in skips[0].reason  # says what the entry was


def test_mojibake_is_repaired_in_meta_exports_only() -> None:
    assert repair_text("K\u00c3\u00b8benhavn") == "København"
    assert repair_text("Sm\u00e5 ting") == "Små ting"  # correct text stays as it is
    apify = posts_of(read(FIXTURES / "apify" / "instagram-scraper.json"))
    assert any(p.text.startswith("Ã¦ er ikke en fejl") for p in apify)


def test_tiktok_new_schema_username_after_posts_and_flags() -> None:
    items = read(FIXTURES / "tiktok-2025" / "user_data_tiktok.json")
    posts = posts_of(items)
    assert [p.creator for p in posts] == ["emil.bager", "emil.bager"]
    assert posts[0].created_at == "2025-08-02T17:45:10Z"
    assert posts[1].meta.paid_partnership is True  # ContentDisclosure is set
    assert posts[1].flags == {"ContentDisclosure": "Branded content"}
    assert "paid_partnership" not in posts[0].meta.stated()
    [skip] = [i for i in items if isinstance(i, Skip)]
    assert skip.kind == NO_TEXT  # "N/A"


def test_tiktok_old_schema() -> None:
    [post] = posts_of(read(FIXTURES / "tiktok-2023"))
    assert post.creator == "freja.films" and post.text.startswith("Gaven fra @studiolys")


def test_tiktok_export_with_only_empty_captions_warns() -> None:
    items = read(FIXTURES / "tiktok-empty" / "user_data_tiktok.json")
    assert not posts_of(items)
    [notice] = [i for i in items if isinstance(i, Notice)]
    assert "empty caption" in notice.message


def test_youtube_takeout_localised_folders_channel_name_and_parts() -> None:
    posts = posts_of(read(TAKEOUT))
    assert [p.creator for p in posts] == ["Tom Prøver", "Tom Prøver"]
    first = posts[0]
    assert first.url == "https://www.youtube.com/watch?v=aB3dE5fG7hI"
    assert first.text.startswith("Min vinter-hudplejerutine\n\nTak til Nordlys")
    assert "\r\nBrug koden TOM10" in first.text  # a newline inside a quoted CSV field
    assert first.parts == (("title", 0), ("description", len("Min vinter-hudplejerutine") + 2))
    result = skjult.check(first)  # type: ignore[arg-type]
    where = result.to_dict()["findings"][0]["in"]
    assert where["part"] == "description"
    description = first.text[first.parts[1][1]:]
    assert description[where["start"]:where["end"]] == result.findings[0].text


def test_youtube_api_flag_is_evidence_not_disclosure() -> None:
    posts = posts_of(read(FIXTURES / "youtube-api" / "videos.json"))
    assert posts[0].meta.paid_partnership is True and posts[0].creator == "Tom Prøver"
    result = skjult.check(posts[0])  # type: ignore[arg-type]
    assert any(s.termset == "meta.paid_partnership" for s in result.commercial.signals)
    assert result.is_commercial
    assert "paid_partnership" not in posts[1].meta.stated()


def test_apify_instagram_json_and_csv() -> None:
    items = read(FIXTURES / "apify" / "instagram-scraper.json")
    posts = posts_of(items)
    assert posts[0].creator == "ida.vild" and posts[0].url == "https://www.instagram.com/p/DNNlfk8yu6o/"
    assert posts[0].meta.paid_partnership is True
    assert posts[0].flags["taggedUsers"] == ["glowlab"]
    assert "paid_partnership" not in posts[1].meta.stated()  # isSponsored alone is not a partnership
    [skip] = [i for i in items if isinstance(i, Skip)]
    assert "Post not found" in skip.reason
    csv_posts = posts_of(read(FIXTURES / "apify" / "instagram-scraper.csv"))
    assert [p.creator for p in csv_posts] == ["ida.vild", "ida.vild"]
    assert csv_posts[0].flags["taggedUsers"] == ["hudlab"]  # taggedUsers/0/username
    assert "paid_partnership" not in csv_posts[0].meta.stated()  # "false" in a CSV is false


def test_apify_tiktok_json_and_dotted_csv() -> None:
    [post] = posts_of(read(FIXTURES / "apify" / "tiktok-scraper.json"))
    assert post.creator == "lea.lyd" and post.platform == "tiktok"
    assert post.created_at == "2025-07-07T14:58:13Z"
    [row] = posts_of(read(FIXTURES / "apify" / "tiktok-scraper.csv"))
    assert row.creator == "lea.lyd" and "LEA20" in row.text


def test_instaloader_prefers_json_metadata_and_ignores_old_edits() -> None:
    items = read(FIXTURES / "instaloader")
    posts = posts_of(items)
    assert len(posts) == 2
    plain, sponsored = posts
    assert plain.text == "Aftensmad med grøntsager fra haven 🥕"  # no trailing newline
    assert plain.creator == "mads.mad" and plain.created_at == "2025-03-04T10:20:30Z"
    assert sponsored.url == "https://www.instagram.com/p/C7abcDEFghi/"
    assert sponsored.meta.stated() == {"paid_partnership": True, "brand": "knivsmeden"}
    # totals are kept per profile folder, not per post file
    assert {i.file for i in items if isinstance(i, Opened)} == {str(FIXTURES / "instaloader" /
                                                                     "mads.mad")}


def test_graph_api_crowdtangle_and_content_library() -> None:
    [graph] = posts_of(read(FIXTURES / "graph" / "media.json"))
    assert graph.creator == "nora.nord" and graph.created_at == "2024-05-13T02:21:16Z"
    ct = posts_of(read(FIXTURES / "crowdtangle" / "instagram.csv"))
    assert ct[0].meta.stated() == {"paid_partnership": True, "brand": "Uldfabrikken"}
    assert ct[0].text.startswith("Min yndlingsjakke")  # Description, not Image Text
    [fb] = posts_of(read(FIXTURES / "crowdtangle" / "facebook.csv"))
    assert fb.text.startswith("Vind en kage") and fb.platform == "facebook"  # Message
    [mcl] = posts_of(read(FIXTURES / "mcl" / "posts.json"))
    assert mcl.creator == "vera.vang" and mcl.meta.paid_partnership is True
    [mcl_csv] = posts_of(read(FIXTURES / "mcl" / "posts.csv"))
    assert mcl_csv.creator == "vera.vang" and mcl_csv.platform == "facebook"


def test_a_folder_of_many_exports_attributes_every_post(tmp_path: Path) -> None:
    items = read(FIXTURES)
    posts = posts_of(items)
    assert None not in {p.creator for p in posts}
    read_count = len(posts) + len([i for i in items if isinstance(i, Skip)])
    assert read_count == 40  # every record of every fixture, as a post or a counted skip
    assert len([i for i in items if isinstance(i, Unreadable)]) == 1  # the HTML export


def test_input_format_forces_a_reader(tmp_path: Path) -> None:
    renamed = tmp_path / "dump.txt"
    shutil.copy(FIXTURES / "apify" / "tiktok-scraper.json", renamed)
    items = read(renamed, input_format="apify-tiktok")
    assert formats_of(items) == {"apify-tiktok"} and posts_of(items)[0].creator == "lea.lyd"


# -- bad input ------------------------------------------------------------------------------------
def test_damaged_zip_is_one_unreadable_item(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    [problem] = read(path)
    assert isinstance(problem, Unreadable) and "zip" in problem.message


def test_truncated_member_in_a_zip_keeps_the_rest(tmp_path: Path) -> None:
    archive = tmp_path / "instagram-anna-2025-01-01-Tok.zip"
    posts = [{"media": [{"uri": f"media/posts/{i}.jpg", "creation_timestamp": 1700000000 + i,
                         "title": f"Opslag nummer {i}"}]} for i in range(3)]
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("your_instagram_activity/media/posts_1.json", json.dumps(posts)[:-40])
        z.writestr("your_instagram_activity/media/posts_2.json", json.dumps(posts[:1]))
        z.writestr("your_instagram_activity/media/reels.json", b"\x00\x01\x02\x03")
    items = read(archive)
    assert [p.creator for p in posts_of(items)] == ["anna", "anna", "anna"]
    [broken] = [i for i in items if isinstance(i, Skip)]
    assert "cannot be read" in broken.reason and broken.file.endswith("posts_1.json")
    [binary] = [i for i in items if isinstance(i, Unreadable)]
    assert binary.file.endswith("reels.json") and "binary" in binary.message


def test_folder_without_posts_says_what_was_expected(tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    [problem] = read(tmp_path)
    assert isinstance(problem, Unreadable) and "no posts found" in problem.message


def test_a_zip_in_a_folder_is_read(tmp_path: Path) -> None:
    zip_folder(FIXTURES / "tiktok-2023", tmp_path / "tiktok.zip")
    (tmp_path / "cover.png").write_bytes(b"\x89PNG")
    items = read(tmp_path)
    assert [p.creator for p in posts_of(items)] == ["freja.films"]
    [notice] = [i for i in items if isinstance(i, Notice)]
    assert "1 other file not read (.png)" in notice.message


def test_compressed_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl.xz"
    with lzma.open(path, "wt", encoding="utf-8") as f:
        f.write('{"caption": "Reklame for @x | ny jakke", "creator": "a"}\n')
    [post] = posts_of(read(path))
    assert post.creator == "a"


def test_large_json_array_in_a_zip_is_streamed(tmp_path: Path) -> None:
    archive = tmp_path / "instagram-big-2025-01-01-Tok.zip"
    record = {"media": [{"uri": "media/posts/x.jpg", "creation_timestamp": 1700000000,
                         "title": "Et helt almindeligt opslag om vejret og kaffe " * 4}]}
    count = 20_000
    body = "[" + ",".join(json.dumps(record) for _ in range(count)) + "]"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("your_instagram_activity/media/posts_1.json", body)
    size = len(body)
    del body
    tracemalloc.start()
    seen = 0
    for item in read_path(str(archive), ReadOptions()):
        seen += isinstance(item, Post)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seen == count
    assert peak < size / 10, f"peak {peak} bytes for a {size}-byte member: not streamed"
