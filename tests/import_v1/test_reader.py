"""Reading a mongoexport: relaxed and canonical Extended JSON, gzip or not, unreadable lines said so."""

import datetime
import gzip

import pytest

from cnfs.import_v1.reader import Line, Unreadable, collection_path, decode, read_collection

RELAXED = (
    b'{"_id":{"$oid":"5f8d0b2e1c9d440000a1b2c3"},"conseiller":{"$ref":"conseillers","$id":{"$oid":"'
    b'5f8d0b2e1c9d440000a1b2c4"}},"createdAt":{"$date":"2022-05-02T10:00:00.123Z"},"n":4,"x":1.5}\n'
)
CANONICAL = (
    b'{"_id":{"$oid":"5f8d0b2e1c9d440000a1b2c3"},"conseiller":{"$ref":"conseillers","$id":{"$oid":"'
    b'5f8d0b2e1c9d440000a1b2c4"},"$db":"coop"},"createdAt":{"$date":{"$numberLong":"1651485600123"}},'
    b'"n":{"$numberInt":"4"},"x":{"$numberDouble":"1.5"}}\n'
)
EXPECTED = {
    "_id": "5f8d0b2e1c9d440000a1b2c3",
    "conseiller": "5f8d0b2e1c9d440000a1b2c4",
    "createdAt": datetime.datetime(2022, 5, 2, 10, 0, 0, 123000, tzinfo=datetime.UTC),
    "n": 4,
    "x": 1.5,
}


@pytest.mark.parametrize("content", [RELAXED, CANONICAL], ids=["relaxed", "canonical"])
@pytest.mark.parametrize("compressed", [False, True])
def test_both_extended_json_forms_gzip_or_not(tmp_path, content, compressed):
    name = "cras.json.gz" if compressed else "cras.json"
    (tmp_path / name).write_bytes(gzip.compress(content) if compressed else content)

    path = collection_path(tmp_path, "cras")

    assert path == tmp_path / name
    assert list(read_collection(path)) == [Line(1, EXPECTED)]


def test_absent_collection(tmp_path):
    assert collection_path(tmp_path, "permanences") is None


def test_unreadable_lines_say_why_and_the_others_are_read(tmp_path):
    path = tmp_path / "cras.jsonl"
    path.write_bytes(
        b'{"_id": {"$oid": "01"}, "a": {"$numberLong": "7"}}\n'
        b"{not json\n"
        b"\n"
        b"[1, 2]\n"
        b'{"_id": {"$oid": "02"}, "d": {"$date": "hier"}}\n'
        b'{"_id": {"$oid": "03"}, "d": {"$date": 1000}}\n'
    )

    assert list(read_collection(path)) == [
        Line(1, {"_id": "01", "a": 7}),
        Line(2, None, "ligne 2 illisible (JSON invalide)"),
        Line(4, None, "ligne 4 : ce n'est pas un document"),
        Line(5, None, "date illisible : hier", source_id="02"),
        Line(6, {"_id": "03", "d": datetime.datetime(1970, 1, 1, 0, 0, 1, tzinfo=datetime.UTC)}),
    ]


@pytest.mark.parametrize("value", [{"$numberDouble": "NaN"}, {"$numberLong": "douze"}])
def test_unreadable_numbers(value):
    with pytest.raises(Unreadable):
        decode(value)
