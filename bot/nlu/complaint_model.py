"""Is this a complaint at all, and if so which of the six types? Pure, no Rasa.

Two calibrated readers over the same features as the sentiment reader
(:mod:`bot.nlu.reading_features`): a **gate** (complaint / none) trained on every
example, then the **type** among the six trained on the complaint examples only. Their
probabilities are blended with those of the intent reader (``intent_weight``), which
sees the same features but learns all eighteen intents at once.

:func:`ComplaintModel.read` returns a :class:`ComplaintReading` whose ``uncertain`` flag
says when the reading is a guess (the gate is near its threshold, or the top two types
are close), with the top two types. :func:`resolve_intents` makes Rasa's intent ranking
agree with the reading: a message read as no complaint never keeps a complaint intent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Sequence, Tuple

from bot.nlu.constants import COMPLAINT_INTENTS, CONVERSATION_MOVES
from bot.nlu.linear import LinearReader
from bot.nlu.reading_features import FeatureBuilder, Reading

NONE = "none"
COMPLAINT = "complaint"
_GATE_FILE = "gate.pkl"
_TYPE_FILE = "type.pkl"


@dataclass(frozen=True)
class Thresholds:
    """Where a reading is called a complaint, and where it is called uncertain."""

    gate: float = 0.5
    uncertain_low: float = 0.3
    uncertain_high: float = 0.7
    min_type_confidence: float = 0.5
    min_type_margin: float = 0.15


@dataclass(frozen=True)
class ComplaintReading:
    is_complaint: bool
    probability: float  # P(complaint)
    type: str | None  # the most likely type when is_complaint, else None
    confidence: float  # P(type | complaint) of the top type
    uncertain: bool
    candidates: Tuple[Tuple[str, float], ...] = field(default=())  # top two types

    def as_dict(self) -> dict:
        return {
            "is_complaint": self.is_complaint,
            "probability": round(self.probability, 4),
            "type": self.type,
            "confidence": round(self.confidence, 4),
            "uncertain": self.uncertain,
            "candidates": [{"type": t, "confidence": round(p, 4)} for t, p in self.candidates],
        }


NOT_READ = ComplaintReading(False, 0.0, None, 0.0, False, ())


def _intent_split(ranking: Sequence[Mapping]) -> Tuple[float, Dict[str, float]]:
    """The intent ranking's probability mass on complaints and its split over the six types."""
    scores = {str(r.get("name")): float(r.get("confidence") or 0.0) for r in ranking}
    mass = sum(scores.get(name, 0.0) for name in COMPLAINT_INTENTS)
    if mass <= 0:
        return 0.0, {}
    return mass, {name: scores.get(name, 0.0) / mass for name in COMPLAINT_INTENTS}


class ComplaintModel:
    """Train, apply and persist the gate and the type reader."""

    def __init__(
        self,
        gate: LinearReader | None = None,
        types: LinearReader | None = None,
        *,
        intent_weight: float = 0.3,
        thresholds: Thresholds | None = None,
    ) -> None:
        self._gate = gate or LinearReader()
        self._types = types or LinearReader()
        self.intent_weight = intent_weight
        self.thresholds = thresholds or Thresholds()

    @property
    def trained(self) -> bool:
        return self._gate.trained

    @classmethod
    def train(
        cls,
        readings: Sequence[Reading],
        intents: Sequence[str],
        *,
        c: float = 1.0,
        intent_weight: float = 0.3,
    ) -> "ComplaintModel":
        """Train on readings with their gold intents.

        The gate and the type reader are independent fits: they run on two threads (scipy's
        sparse products release the GIL), each exactly as it would alone.
        """
        from concurrent.futures import ThreadPoolExecutor

        gate_labels = [COMPLAINT if i in COMPLAINT_INTENTS else NONE for i in intents]
        pairs = [(r, i) for r, i in zip(readings, intents) if i in COMPLAINT_INTENTS]
        # the feature rows are built here, once; the two fits only read them
        if readings:
            FeatureBuilder().matrix(readings)
        with ThreadPoolExecutor(2, thread_name_prefix="complaint-fit") as pool:
            gate = pool.submit(LinearReader.train, readings, gate_labels, c=c)
            types = pool.submit(
                LinearReader.train, [r for r, _ in pairs], [i for _, i in pairs], c=c
            )
            return cls(gate.result(), types.result(), intent_weight=intent_weight)

    def read(self, reading: Reading, intent_ranking: Sequence[Mapping] = ()) -> ComplaintReading:
        """The complaint reading of one message, blended with an intent ranking if given."""
        if not self.trained or not reading.text.strip():
            return NOT_READ
        p = self._gate.probability_map(reading).get(COMPLAINT, 0.0)
        types = self._types.probability_map(reading) if self._types.trained else {}
        mass, intent_types = _intent_split(intent_ranking)
        w = self.intent_weight if intent_ranking else 0.0
        p = (1 - w) * p + w * mass
        if intent_types:
            types = {
                t: (1 - w) * types.get(t, 0.0) + w * intent_types[t] for t in COMPLAINT_INTENTS
            }
        ordered = sorted(types.items(), key=lambda kv: -kv[1])[:2]
        top, conf = ordered[0] if ordered else (None, 0.0)
        margin = conf - (ordered[1][1] if len(ordered) > 1 else 0.0)
        t = self.thresholds
        is_complaint = p >= t.gate
        uncertain = t.uncertain_low <= p <= t.uncertain_high or (
            is_complaint and (conf < t.min_type_confidence or margin < t.min_type_margin)
        )
        return ComplaintReading(
            is_complaint,
            float(p),
            top if is_complaint else None,
            float(conf),
            bool(uncertain),
            tuple((name, float(prob)) for name, prob in ordered),
        )

    def type_probabilities(self, reading: Reading) -> Dict[str, float]:
        return self._types.probability_map(reading) if self._types.trained else {}

    def to_disk(self, directory: Path) -> None:
        if self.trained:
            self._gate.to_file(directory / _GATE_FILE)
            self._types.to_file(directory / _TYPE_FILE)

    @classmethod
    def from_disk(cls, directory: Path, **kwargs) -> "ComplaintModel":
        return cls(
            LinearReader.from_file(directory / _GATE_FILE),
            LinearReader.from_file(directory / _TYPE_FILE),
            **kwargs,
        )


def resolve_intents(
    ranking: Sequence[Mapping], reading: ComplaintReading
) -> List[Dict[str, object]]:
    """Rasa's intent ranking made to agree with the complaint reading, best first.

    Each complaint intent gets P(complaint) × P(type | complaint) from the reading; every
    other intent keeps its share of the non-complaint mass, times P(no complaint).
    A message read as a complaint whose best intent is not a conversation move (an order
    number, an accepted offer …) gets its complaint type as the intent; a message read as
    no complaint never gets a complaint intent.
    """
    others = [dict(r) for r in ranking if r.get("name") not in COMPLAINT_INTENTS]
    other_mass = sum(float(r.get("confidence") or 0.0) for r in others) or 1.0
    p = reading.probability
    candidates = dict(reading.candidates)
    rest = 1.0 - sum(candidates.values())
    missing = [t for t in COMPLAINT_INTENTS if t not in candidates]
    complaints = [
        {"name": t, "confidence": p * candidates.get(t, rest / max(len(missing), 1))}
        for t in COMPLAINT_INTENTS
    ]
    for r in others:
        r["confidence"] = (1.0 - p) * float(r.get("confidence") or 0.0) / other_mass
    ranked = sorted(complaints + others, key=lambda r: -float(r["confidence"]))
    if not reading.is_complaint:
        ranked = [r for r in ranked if r["name"] not in COMPLAINT_INTENTS] + [
            r for r in ranked if r["name"] in COMPLAINT_INTENTS
        ]
    elif (
        reading.type in COMPLAINT_INTENTS
        and ranked[0]["name"] not in COMPLAINT_INTENTS
        and ranked[0]["name"] not in CONVERSATION_MOVES
    ):
        first = next(r for r in ranked if r["name"] == reading.type)
        ranked = [first] + [r for r in ranked if r is not first]
    return ranked
