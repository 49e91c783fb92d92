"""Rasa's file importer, reading each NLU file once and checking it without the slow loader.

Registered under ``importers:`` in config.yml, so ``rasa train``, ``rasa train nlu``,
``rasa data validate`` and ``rasa test`` all read the training data through it. It is
Rasa's :class:`RasaFileImporter` with two differences, both in reading the NLU YAML:

* **Read once.** Rasa's importer stack asks for the NLU data two or three times per command
  (once through the domain, once per language argument) and parses every file each time.
  Here a file is parsed once per command; every caller still gets its own copy, merged
  by Rasa's ``TrainingData.merge`` exactly as Rasa's ``training_data_from_paths`` does.
* **Checked on the plain parse.** Rasa checks each file against its NLU schema (pykwalify)
  after parsing it with ruamel's pure-Python round-trip loader, which keeps line numbers
  for the error message: about 8 s for our 18 files, where the plain parse takes 1.5 s.
  Here the same schema check runs on the plain parse; a file it rejects is checked again
  by Rasa's own code, which raises Rasa's exception with the line numbers. A file Rasa
  would reject is therefore rejected with Rasa's message, and a file Rasa accepts passes.

Any other format (JSON, a file that is not NLU YAML) is read by Rasa's loader as before.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Union

from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.training_data import loading
from rasa.shared.nlu.training_data.formats.rasa_yaml import NLU_SCHEMA_FILE, RasaYAMLReader
from rasa.shared.nlu.training_data.training_data import TrainingData


def schema_accepts(string: str) -> bool:
    """Whether Rasa's NLU schema accepts the YAML ``string``, checked on the plain parse.

    The schema, its shared parts and its extensions are loaded as Rasa's
    ``validate_yaml_schema`` loads them; only the parse of ``string`` differs (no line
    numbers). Anything that goes wrong counts as "not accepted", so that Rasa decides.
    """
    import logging

    import pkg_resources
    import rasa.shared.utils.io
    from pykwalify.core import Core
    from rasa.shared.utils.validation import (
        PACKAGE_NAME,
        RESPONSES_SCHEMA_FILE,
        SCHEMA_EXTENSIONS_FILE,
    )

    logging.getLogger("pykwalify").setLevel(logging.CRITICAL)  # as Rasa's check does

    def resource(path: str) -> str:
        return pkg_resources.resource_filename(PACKAGE_NAME, path)

    try:
        data = rasa.shared.utils.io.read_yaml(string)
        schema = dict(
            rasa.shared.utils.io.read_yaml_file(resource(NLU_SCHEMA_FILE)),
            **rasa.shared.utils.io.read_yaml_file(resource(RESPONSES_SCHEMA_FILE)),
        )
        core = Core(
            source_data=data,
            schema_data=schema,
            extensions=[resource(SCHEMA_EXTENSIONS_FILE)],
        )
        core.validate(raise_exception=False)
    except Exception:  # noqa: BLE001 - Rasa's own check gives the verdict and the message
        return False
    return not core.errors


class CheckedYAMLReader(RasaYAMLReader):
    """Rasa's NLU YAML reader whose schema check parses the file without line numbers."""

    def validate(self, string: str) -> None:
        if not schema_accepts(string):
            super().validate(string)  # raises Rasa's exception, with line numbers


class ProjectImporter(RasaFileImporter):
    """:class:`RasaFileImporter` that parses each NLU YAML file once (see the module)."""

    def __init__(
        self,
        config_file: Optional[str] = None,
        domain_path: Optional[str] = None,
        training_data_paths: Optional[Union[List[str], str]] = None,
    ) -> None:
        super().__init__(config_file, domain_path, training_data_paths)
        self._parsed: Dict[str, TrainingData] = {}

    def get_nlu_data(self, language: Optional[str] = "en") -> TrainingData:
        """The NLU training data, as Rasa's importer returns it: a new object per call."""
        return TrainingData().merge(*(self._read(path, language) for path in self._nlu_files))

    def _read(self, path: str, language: Optional[str]) -> TrainingData:
        if loading.guess_format(path) != loading.RASA_YAML:
            return loading.load_data(path, language)
        # Rasa's YAML reader ignores the language, so one parse serves every caller
        if path not in self._parsed:
            self._parsed[path] = CheckedYAMLReader().read(path)
        return self._parsed[path]
