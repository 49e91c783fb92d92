"""The project's importer reads what Rasa's reads, parses a file once, and rejects what
Rasa rejects with Rasa's own message."""

from __future__ import annotations

import shutil

import pytest
from rasa.shared.exceptions import YamlException
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.training_data.formats.rasa_yaml import NLU_SCHEMA_FILE, RasaYAMLReader
from rasa.shared.utils.validation import validate_yaml_schema

from bot.nlu.importer import CheckedYAMLReader, ProjectImporter, schema_accepts
from tests.conftest import ROOT

# every kind of block the project's NLU files use: intents with metadata, synonyms,
# a lookup table, and a folder of further files
SAMPLE = (
    "nlu/synonyms.yml",
    "nlu/lookups",
    "nlu/requests.yml",
    "nlu/voices/verdicts_and_contrast.yml",
)

BROKEN = {
    "examples as a number": 'version: "3.1"\nnlu:\n- intent: greet\n  examples: 5\n',
    "a misspelt key": 'version: "3.1"\nnlu:\n- intnet: greet\n  examples: |\n    - 你好\n',
    "examples as a list": 'version: "3.1"\nnlu:\n- intent: greet\n  examples:\n  - 你好\n',
    "a key Rasa does not know in a block": (
        'version: "3.1"\nnlu:\n- synonym: 冷氣\n  examples: |\n    - 空調\n  weight: 2\n'
    ),
    "not YAML at all": 'version: "3.1"\nnlu:\n- intent: [greet\n',
    "a duplicated key": 'version: "3.1"\nnlu:\n- intent: a\n  intent: b\n  examples: |\n    - 你好\n',
}
# odd but accepted by Rasa's schema (Rasa warns while reading them): accepted here too
ODD = {
    "an intent without examples": 'version: "3.1"\nnlu:\n- intent: greet\n',
    "a top-level key Rasa does not know": 'version: "3.1"\nnlux:\n- intent: greet\n',
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    for name in SAMPLE:
        source, target = ROOT / "data" / name, folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    return folder


def _contents(data):
    return (
        [message.as_dict() for message in data.training_examples],
        data.entity_synonyms,
        data.regex_features,
        data.lookup_tables,
        data.responses,
    )


def test_the_training_data_is_the_one_rasas_importer_reads(sample):
    ours = ProjectImporter(training_data_paths=[str(sample)]).get_nlu_data("zh")
    rasas = RasaFileImporter(training_data_paths=[str(sample)]).get_nlu_data("zh")
    assert ours.training_examples and ours.entity_synonyms and ours.lookup_tables
    assert _contents(ours) == _contents(rasas)
    # what Rasa's training cache keys on
    assert ours.fingerprint() == rasas.fingerprint()


def test_every_call_gets_its_own_data_from_one_parse(sample, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(sample, folder)
    importer = ProjectImporter(training_data_paths=[str(folder)])
    first = importer.get_nlu_data("en")
    first.training_examples.clear()
    # parsed once: a change on disk after the first read is not read again
    (folder / "nlu/requests.yml").write_text('version: "3.1"\nnlu: []\n', encoding="utf-8")
    second = importer.get_nlu_data("zh")
    rasas = RasaFileImporter(training_data_paths=[str(sample)]).get_nlu_data("zh")
    assert _contents(second) == _contents(rasas)


def test_the_projects_files_pass_the_schema_on_the_plain_parse():
    for path in sorted((ROOT / "data/nlu").rglob("*.yml")):
        assert schema_accepts(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_file_rasa_rejects_is_rejected_with_rasas_message(case):
    text = BROKEN[case]
    assert not schema_accepts(text)
    with pytest.raises(YamlException) as rasas:
        RasaYAMLReader().reads(text)
    with pytest.raises(YamlException) as ours:
        CheckedYAMLReader().reads(text)
    assert type(ours.value) is type(rasas.value)
    assert str(ours.value) == str(rasas.value)


@pytest.mark.parametrize("case", sorted(ODD))
def test_a_file_rasas_schema_accepts_is_accepted(case):
    validate_yaml_schema(ODD[case], NLU_SCHEMA_FILE)  # Rasa's check: no exception
    assert schema_accepts(ODD[case])


def test_config_yml_makes_rasa_read_through_it():
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data/nlu/lookups")]
    )
    # Rasa wraps the configured importers: E2E → responses sync → combined
    assert [type(i) for i in importer.importer._importer._importers] == [ProjectImporter]
    assert importer.get_nlu_data("zh").lookup_tables
