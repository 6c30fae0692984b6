"""The one YAML writer for records: what it writes reads back as the same record."""

import datetime as dt

import yaml

from shequ.tools.yamlwriter import record_yaml


def test_record_yaml_round_trips_awkward_text():
    record = {"id": "org-x", "name": "yes", "name_en": "- dash", "address": "a: b", "community": "null",
              "operator": "2020-01-01", "host_body": "#hash", "phone": "010-6555 0123", "email": "@x",
              "description_en": 'quote " and \\ back', "description_zh": "中文: 冒号", "capacity": 12,
              "division": "110105003", "founded": dt.date(2020, 1, 2), "fields_of_activity": ["a,b", "[c]", "d"],
              "sources": [{"title": "'single'", "url": "https://example.org/x?a=1#f", "accessed": dt.date(2021, 3, 4)}],
              "alternate_names": ["1e3", "~", "true"]}
    text = record_yaml(record)
    assert yaml.safe_load(text) == record
    assert 'division: "110105003"' in text


def test_record_yaml_leaves_out_empty_values():
    record = {"id": "org-x", "uscc": None, "alternate_names": [], "address": "",
              "sources": [{"title": "t", "url": "", "accessed": None}]}
    assert record_yaml(record) == "id: org-x\nsources:\n  - title: t\n"


def test_record_yaml_escapes_line_separators_and_control_characters():
    record = {"name": "a\u2028b", "address": "tab\there", "description_en": "bell\x07"}
    assert yaml.safe_load(record_yaml(record)) == record
