"""Vocabulary rules: every code in the data is a known term of its vocabulary."""

from __future__ import annotations

from typing import Iterator

from shequ import rules
from shequ.sources.load import VOCABULARY_KEYS, Sources
from shequ.report import Problem, did_you_mean
from shequ.sources.tables import LAYOUT, TERM


def _vocabulary_fields(sources: Sources, dataset: str) -> Iterator[tuple[tuple, str, str]]:
    """(path in record, vocabulary, code-or-value) for every coded value in a dataset's records."""
    layout = LAYOUT[dataset]
    scalar = {f["name"]: f["vocabulary"] for f in sources.schemas.fields(layout.main) if "vocabulary" in f}
    for rec in sources.records[dataset]:
        for name, vocabulary in scalar.items():
            yield rec, (name,), vocabulary, rec.data.get(name)
        for child in layout.children:
            items = rec.data.get(child.key)
            if not isinstance(items, list):
                continue
            fixed = dict(child.fixed)
            item_vocab = {f["name"]: f["vocabulary"] for f in sources.schemas.fields(child.table) if "vocabulary" in f}
            for i, item in enumerate(items):
                if child.is_mapping:
                    if isinstance(item, dict):
                        for name, vocabulary in item_vocab.items():
                            yield rec, (child.key, i, name), vocabulary, item.get(name)
                elif "vocabulary" in fixed:
                    yield rec, (child.key, i), fixed["vocabulary"], item
                elif child.column in item_vocab:
                    yield rec, (child.key, i), item_vocab[child.column], item


def _keys(sources: Sources) -> Iterator[Problem]:
    term_keys = [c for c in sources.schemas.columns("vocabulary_terms") if c not in ("vocabulary", TERM)]
    for vocab in sources.vocabularies.values():
        for key in vocab.raw:
            if key not in VOCABULARY_KEYS:
                yield Problem(rules.VOCABULARIES_UNKNOWN_KEY, f"unknown field '{key}'", vocab.file, (key,),
                              hint=did_you_mean(str(key), list(VOCABULARY_KEYS)))
        for i, term in enumerate(vocab.raw.get("terms") or []):
            for key in term if isinstance(term, dict) else ():
                if key not in term_keys:
                    yield Problem(rules.VOCABULARIES_UNKNOWN_KEY, f"unknown field '{key}'", vocab.file, ("terms", i, key),
                                  hint=did_you_mean(str(key), term_keys) or f"known fields: {', '.join(term_keys)}")


def check(sources: Sources) -> Iterator[Problem]:
    yield from _keys(sources)
    for vocab in sources.vocabularies.values():
        for i, (code, term) in enumerate(vocab.terms.items()):
            provision = term.get("provision")
            if isinstance(provision, str) and sources.policy.provision(provision) is None:
                yield Problem(rules.VOCABULARIES_PROVISION, f"provision '{provision}' is not in datasets/policy/",
                              vocab.file, ("terms", i, "provision"),
                              hint=sources.policy.suggest(provision) or "write <document-id>/<provision-id>")
    for dataset in LAYOUT:
        for rec, path, vocabulary, value in _vocabulary_fields(sources, dataset):
            if not isinstance(value, str):
                continue  # missing or wrongly typed: the structure rules say so
            vocab = sources.vocabularies.get(vocabulary)
            if vocab is None:
                yield Problem(rules.VOCABULARIES_MISSING, f"vocabulary '{vocabulary}' is missing", rec.file, path,
                              hint=f"add datasets/vocabularies/{vocabulary}.yaml")
                continue
            if value not in vocab.terms:
                codes = list(vocab.terms)
                yield Problem(rules.VOCABULARIES_UNKNOWN_TERM, f"'{value}' is not a term of {vocabulary}", rec.file, path,
                              hint=did_you_mean(value, codes) or f"known terms: {', '.join(codes)}")
