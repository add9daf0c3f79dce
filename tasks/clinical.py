"""Clinical: the discharge diagnoses of each hospital visit of a patient, from structured visit features.

Each patient with at least two admissions is one sequence; each admission is a step. x_t is the visit's
structured record (no diagnoses, DRG codes or notes: they leak the label; procedure codes are off by default, see
below); y_t is the visit's diagnosis categories (CCSR), primary first, revealed after the prediction.

Output contract: predictions are chosen from the CCSR categories seen in the *train* split (each named by its most
frequent train diagnosis), enforced by the JSON schema and so by the llama.cpp grammar: a small model cannot answer
with a medication, a care unit or an invented code. Scoring is the exact category: Acc@1 = the primary diagnosis's
category is the first answer, Acc@k = among the first k. A test-split category never seen in training cannot be
hit (it counts as a miss). Free text from an unconstrained backbone scores only when it is a label or carries an
ICD-10 code; there is no fuzzy matching (a matcher built from every split leaked test vocabulary).

Procedures (ICD procedure codes of the visit) are a proxy for the diagnosis, as DRG codes are, which the paper
dropped: they are left out unless `procedures=True` (`--clinical-procedures`), an ablation.

The paper (and its reproduction) used discharge-summary text of credentialed MIMIC-IV-Note; this open version uses
the structured tables of the MIMIC-IV Clinical Database Demo (shipped, ODbL) or a user's own MIMIC-IV
(`mimic_dir`), so numbers are not comparable to the paper's.
"""

from __future__ import annotations

import functools
import zlib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from llm_as_rnn.anchors import clinical
from llm_as_rnn.tasks.base import Anchor, Step, StepSequence, Target, Task, select_evenly
from llm_as_rnn.tasks.icd import ccsr_category, codes_in_text, dotted_icd10
from llm_as_rnn.tasks.memory_spec import MemorySpec, Section
from llm_as_rnn.tasks.mimic import build_visits, read_visits

SHIPPED_VISITS = Path(__file__).parent / "data" / "mimic_iv_demo_visits.jsonl.gz"
TOP_K = 5
SPLIT_BUCKETS = {"train": range(0, 4), "dev": range(4, 6), "test": range(6, 10)}  # of crc32(subject_id) % 10

CLINICAL_SCHEMA = MemorySpec(
    (
        Section("history", "Clinical history", "this patient's diagnoses so far and recurring conditions"),
        Section("focus", "Missed and focus areas", "what your last predictions missed and why"),
        Section("watch", "Considerations for future visits", "what to look for at the next visit"),
    ),
    example={
        "history": ("<the diagnosis categories this patient has had so far, from the revealed outcomes>",),
        "focus": ("<what my last predictions missed, and which input signal pointed to it>",),
        "watch": ("<what in the next visit's record would point to which category>",),
    },
)


class ClinicalTask(Task):
    """Predict each visit's diagnoses (top-k free text) from its structured record, over a patient's visits."""

    name = "clinical"
    anchors: ClassVar[Mapping[str, Anchor]] = {
        "repeat_previous": clinical.repeat_previous, "revealed_ranked": clinical.revealed_ranked,
        "most_frequent": clinical.most_frequent}
    primary_anchor = "repeat_previous"
    table_metrics = ("diagnoses.hit@1", "diagnoses.hit@5", "diagnoses.judge_hit@1", "diagnoses.judge_hit@5",
                     "self_correction")
    description = (
        "Predict the discharge diagnosis categories of this hospital visit from its structured record "
        "(age, admission, services, medications, microbiology, vitals)."
    )
    revealed_heading = "Diagnoses revealed at this patient's earlier visits"
    step_noun = "visits"

    def __init__(self, *, mimic_dir: str | Path | None = None, visits_file: str | Path | None = None,
                 min_visits: int = 2, k: int = TOP_K, procedures: bool = False, folds: int | None = None,
                 fold: int | None = None):
        """`folds`/`fold`: cross-fitting. The patients with at least `min_visits` visits are dealt into `folds`
        folds (by a stable hash); fold `fold`'s patients are the test split, and everyone else is train (the label
        set and every prior come from there); there is no dev split. Run each fold and pool them
        (`python -m llm_as_rnn.reports.crossfit`): every eligible patient is then scored once, by a task that never
        saw them."""
        if min_visits < 1:
            raise ValueError(f"min_visits must be at least 1, got {min_visits}")
        if (folds is None) != (fold is None) or (folds is not None and not (folds >= 2 and 0 <= fold < folds)):
            raise ValueError(f"cross-fitting needs folds >= 2 and 0 <= fold < folds together, got folds={folds}, "
                             f"fold={fold}")
        self.folds, self.fold = folds, fold
        self.mimic_dir = Path(mimic_dir) if mimic_dir else None
        self.visits_file = Path(visits_file) if visits_file else SHIPPED_VISITS
        self.min_visits = min_visits
        self.procedures = procedures
        self.k = k
        self._categories: dict[str, str | None] = {}
        if procedures:
            self.description = self.description.replace("services, ", "services, procedures, ")

    @functools.cached_property
    def targets(self) -> tuple[Target, ...]:  # type: ignore[override]
        return (
            Target("diagnoses", "topk", "the discharge diagnosis categories of this visit", k=self.k,
                   labels=tuple(self.labels), normalize=self.category),
        )

    @functools.cached_property
    def labels(self) -> dict[str, str]:
        """Label -> CCSR category, for every category among the train split's diagnoses.

        A category is named by its most frequent train diagnosis (CCSR's own names do not ship offline); names
        shared by two categories get the category code appended, so labels stay one-to-one.
        """
        names: dict[str, Counter] = {}
        for visit in self._split_visits("train"):
            for diagnosis in visit["diagnoses"]:
                category = _code_category(diagnosis.get("icd10"))
                if category:
                    names.setdefault(category, Counter())[str(diagnosis["description"]).strip()] += 1
        chosen = {category: counts.most_common(1)[0][0] for category, counts in sorted(names.items())}
        taken = Counter(chosen.values())
        return {(name if taken[name] == 1 else f"{name} [{category}]"): category for category, name in chosen.items()}

    @functools.cached_property
    def _label_of(self) -> dict[str, str]:
        return {category: label for label, category in self.labels.items()}

    @functools.cached_property
    def _folded_labels(self) -> dict[str, str]:
        return {" ".join(label.casefold().split()): category for label, category in self.labels.items()}

    @property
    def memory_spec(self) -> MemorySpec:
        return CLINICAL_SCHEMA

    @functools.cached_property
    def visits(self) -> list[dict[str, Any]]:
        if self.mimic_dir is not None:
            hosp = self.mimic_dir / "hosp" if (self.mimic_dir / "hosp").is_dir() else self.mimic_dir
            return build_visits(hosp, min_visits=self.min_visits)
        return read_visits(self.visits_file)

    def category(self, text: str) -> str | None:
        """A label, a truth item or a code -> CCSR category (the scoring key); anything else -> None (a miss).

        Exact after normalisation (case and spaces): a label maps to its category, a text carrying an ICD-10 code
        to that code's category. No fuzzy matching."""
        if text not in self._categories:
            folded = " ".join(str(text).casefold().split())
            category = self._folded_labels.get(folded)
            if category is None:
                marked = text.rsplit("(ICD-10 ", 1)[-1] if "(ICD-10 " in text else text
                codes = [c for c in codes_in_text(marked) if ccsr_category(c)]
                category = ccsr_category(codes[0]) if codes else None
            self._categories[text] = category
        return self._categories[text]

    def truth_items(self, visit: dict[str, Any]) -> list[str]:
        """The visit's diagnoses as categories, primary first, each once: its label when the category is in the
        label set, else the diagnosis itself with its code (scored by that code's category, never predictable)."""
        items, seen = [], set()
        for diagnosis in visit["diagnoses"]:
            category = _code_category(diagnosis.get("icd10"))
            key = category or truth_item(diagnosis)
            if key in seen:
                continue
            seen.add(key)
            items.append(self._label_of.get(category, truth_item(diagnosis)) if category else truth_item(diagnosis))
        return items

    def _split_visits(self, split: str) -> list[dict[str, Any]]:
        return [v for v in self.visits if self.in_split(v["subject_id"], split)]

    @functools.cached_property
    def _fold_of(self) -> dict[str, int]:
        """Eligible patient -> fold: sorted by a stable hash, dealt round-robin (folds differ in size by one)."""
        counts = Counter(v["subject_id"] for v in self.visits)
        eligible = sorted((s for s, n in counts.items() if n >= self.min_visits),
                          key=lambda s: (zlib.crc32(f"fold-{s}".encode()), s))
        return {subject: index % (self.folds or 1) for index, subject in enumerate(eligible)}

    def in_split(self, subject: str, split: str) -> bool:
        """Whether a patient's visits belong to `split` (by bucket; under cross-fitting, by fold)."""
        if self.folds is None:
            return subject_bucket(subject) in SPLIT_BUCKETS[split]
        in_fold = self._fold_of.get(subject) == self.fold
        return in_fold if split == "test" else (not in_fold if split == "train" else False)

    def sequences(self, split: str, *, limit: int | None = None, steps: int | None = None) -> list[StepSequence]:
        self.check_split(split)
        by_patient: dict[str, list[dict[str, Any]]] = {}
        for visit in self.visits:
            by_patient.setdefault(visit["subject_id"], []).append(visit)
        patients = sorted(s for s, v in by_patient.items() if len(v) >= self.min_visits and self.in_split(s, split))
        out = []
        for subject in select_evenly(patients, limit):
            visits = sorted(by_patient[subject], key=lambda v: v["visit_index"])[:steps]
            out.append(StepSequence(id=f"clinical-{subject}", steps=tuple(
                Step(input=format_visit(v, procedures=self.procedures), target={"diagnoses": self.truth_items(v)},
                     context={"hadm_id": v["hadm_id"]})
                for v in visits)))
        return out

    def train_primary_counts(self) -> Counter:
        """Primary-diagnosis items of the train split, most common first (for the prior anchor)."""
        counts: Counter = Counter()
        for sequence in self.sequences("train"):
            for step in sequence.steps:
                if step.target["diagnoses"]:
                    counts[step.target["diagnoses"][0]] += 1
        return counts


def subject_bucket(subject_id: str) -> int:
    """A stable split bucket per patient: all of a patient's visits land in one split."""
    return zlib.crc32(str(subject_id).encode()) % 10


def truth_item(diagnosis: dict[str, Any]) -> str:
    """A diagnosis as shown and scored: its description with the ICD-10 code that fixes its category."""
    code = diagnosis.get("icd10")
    return f"{diagnosis['description']} (ICD-10 {dotted_icd10(code)})" if code else str(diagnosis["description"])


def _code_category(code: str | None) -> str | None:
    return ccsr_category(code) if code else None


def format_visit(visit: dict[str, Any], *, procedures: bool = False) -> str:
    """The structured record of one admission, one fact per line, relative time only (procedures on request)."""
    gap = visit.get("days_since_previous")
    when = "first visit" if gap is None else f"visit {visit['visit_index'] + 1}, {gap:.0f} days after the previous one"
    lines = [
        when,
        f"patient: {visit['age']}-year-old {'female' if visit['gender'] == 'F' else 'male'}",
        f"admission: {visit['admission_type']} from {visit['admission_location']}; stay {visit['los_days']:.1f} days",
        f"services: {_list(visit.get('services'))}; care units: {_list(visit.get('care_units'))}",
        *([f"procedures: {_list(visit.get('procedures'))}"] if procedures else []),
        f"medications: {_list(visit.get('medications'))}",
        f"microbiology organisms: {_list(visit.get('organisms'))}",
    ]
    vitals = visit.get("vitals") or {}
    if vitals:
        lines.append("vitals: " + "; ".join(f"{k} {v}" for k, v in sorted(vitals.items())))
    return "\n".join(lines)


def _list(values: Any) -> str:
    return ", ".join(values) if values else "none"
