"""Text comparison shared by duplicate-aware splits and LLM dedupe.

One normaliser decides when two texts are "the same" (case and white space
folded), and character 3-gram Jaccard similarity decides when they are near
duplicates.
"""

import hashlib
import json
from types import SimpleNamespace

import numpy as np

__all__ = [
    "Dedupe",
    "NearDuplicates",
    "duplicate_groups",
    "normalise_text",
    "seed_similarities",
    "stable_rank",
]


def normalise_text(text):
    """``text`` with white space collapsed and case folded.

    Examples
    --------
    >>> from skbalance._text import normalise_text
    >>> normalise_text("  My  Invoice\\n is WRONG ")
    'my invoice is wrong'
    """
    return " ".join(str(text).split()).casefold()


def stable_rank(text, salt=""):
    """A hash of the text: a random-looking order that is the same in every
    process and every fit (unlike ``hash``)."""
    return hashlib.sha256(f"{salt}\x00{text}".encode()).hexdigest()


def seed_similarities(seeds, rewrites):
    """Cosine similarity of every rewrite to its seed, on word 1- and 2-gram
    frequency vectors (scikit-learn's ``TfidfVectorizer`` without idf: a
    word rare in a small set of pairs would weigh the changed words most), so
    that a copy with one word of ten changed scores 0.84 where its character
    3-gram Jaccard similarity is near 0.75.

    Examples
    --------
    >>> from skbalance._text import seed_similarities
    >>> seed = "my invoice for march shows the wrong amount of money"
    >>> sims = seed_similarities(
    ...     [seed, seed],
    ...     ["my invoice for april shows the wrong amount of money",
    ...      "I was billed incorrectly last month"],
    ... )
    >>> [round(float(s), 2) for s in sims]
    [0.84, 0.0]
    >>> [bool(s >= 0.8) for s in sims]
    [True, False]
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), preprocessor=normalise_text, use_idf=False
    )
    vectorizer.fit(list(seeds) + list(rewrites))
    A, B = vectorizer.transform(seeds), vectorizer.transform(rewrites)
    return np.asarray(A.multiply(B).sum(axis=1)).ravel()


class NearDuplicates:
    """Texts seen so far, to find new texts that nearly repeat one of them.

    Character 3-gram sets are hashed into binary sparse rows, so that the
    Jaccard similarities of many texts come from one sparse product.

    Parameters
    ----------
    texts : list of str
        The texts known at the start.
    threshold : float in (0, 1]
        Jaccard similarity from which two texts are near duplicates.
    """

    def __init__(self, texts, threshold):
        from sklearn.feature_extraction.text import HashingVectorizer

        self.threshold = threshold
        self.vectorizer = HashingVectorizer(
            analyzer="char",
            ngram_range=(3, 3),
            preprocessor=normalise_text,
            n_features=2**20,
            alternate_sign=False,
            binary=True,
            norm=None,
        )
        self.known = self.vectorizer.transform(texts)

    @staticmethod
    def _jaccard(A, B):
        inter = (A @ B.T).toarray()
        union = A.getnnz(axis=1)[:, None] + B.getnnz(axis=1)[None, :] - inter
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(union > 0, inter / union, 0.0)

    def check(self, texts):
        """Similarities of ``texts`` to the known texts and to each other.

        Returns a namespace: ``matrix`` (their 3-gram rows, for :meth:`add`),
        ``to_known`` (bool per text: near a known text) and ``among`` (their
        pairwise similarities).
        """
        matrix = self.vectorizer.transform(texts)
        to_known = np.zeros(len(texts), dtype=bool)
        for start in range(0, self.known.shape[0], 2048):
            block = self._jaccard(matrix, self.known[start : start + 2048])
            to_known |= (block >= self.threshold).any(axis=1)
        return SimpleNamespace(
            matrix=matrix, to_known=to_known, among=self._jaccard(matrix, matrix)
        )

    def add(self, rows):
        """Make the 3-gram ``rows`` (from :meth:`check`) known."""
        from scipy import sparse

        self.known = sparse.vstack([self.known, rows]).tocsr()


class Dedupe:
    """Keeps new examples that repeat nothing: no exact duplicate (after
    :func:`normalise_text`) of any example, no near duplicate of an example
    of the same class.

    Parameters
    ----------
    texts : list of str
        The text of every original example.
    labels : sequence
        Their classes.
    threshold : float in (0, 1]
        Near-duplicate threshold (character 3-gram Jaccard similarity).
    """

    def __init__(self, texts, labels, threshold):
        self.seen = {normalise_text(t) for t in texts}
        self.texts, self.labels, self.threshold = texts, labels, threshold
        self.near = {}  # class -> NearDuplicates of its texts, built when needed

    def run(self, candidates, take, *, text_of=str, chunk=2048):
        """Offer every ``(row, example)`` of ``candidates`` that repeats
        nothing to ``take(row, example)``, in order; an example taken (``take``
        returns True) is known from then on. ``text_of`` gives an example's
        text. Chunks bound the similarity matrices. Returns the number taken.
        """
        by_class = {}
        for row, example in candidates:
            by_class.setdefault(self.labels[row], []).append((row, example))
        taken = 0
        for label, items in by_class.items():
            if label not in self.near:
                texts = [
                    t
                    for t, y in zip(self.texts, self.labels, strict=True)
                    if y == label
                ]
                self.near[label] = NearDuplicates(texts, self.threshold)
            near = self.near[label]
            for start in range(0, len(items), chunk):
                part = items[start : start + chunk]
                texts = [text_of(example) for _, example in part]
                similar = near.check(texts)
                kept = []
                for k, ((row, example), text) in enumerate(
                    zip(part, texts, strict=True)
                ):
                    key = normalise_text(text)
                    if key in self.seen or similar.to_known[k]:
                        continue
                    if kept and similar.among[k, kept].max() >= self.threshold:
                        continue
                    if take(row, example):
                        self.seen.add(key)
                        kept.append(k)
                if kept:
                    near.add(similar.matrix[kept])
                taken += len(kept)
        return taken


def duplicate_groups(texts):
    """Group ids under which exact duplicates share a group.

    Texts are compared after case folding and collapsing whitespace, so
    ``"Reset my  password"`` and ``"reset my password "`` share a group.
    Pass the result as ``groups=`` to a split so that an example and its
    duplicates (or the copies an over-sampler made) are never in two parts.

    Parameters
    ----------
    texts : sequence of str, or of records (dict or list)
        One entry per row; records are compared by their JSON form.

    Returns
    -------
    groups : ndarray of int of shape (n_samples,)
        Group id of every row, numbered in order of first appearance.

    See Also
    --------
    train_val_test_split : Takes them as ``groups=``.

    Examples
    --------
    >>> from skbalance import duplicate_groups
    >>> duplicate_groups(["Reset my  password", "Invoice?", "reset my password "])
    array([0, 1, 0])
    """
    table = {}
    ids = np.empty(len(texts), dtype=np.intp)
    for i, text in enumerate(texts):
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        elif isinstance(text, (dict, list, tuple)):
            text = json.dumps(text, sort_keys=True, ensure_ascii=False)
        elif not isinstance(text, str):
            raise TypeError(
                f"texts[{i}] is a {type(text).__name__}; duplicate_groups compares "
                "texts (str) or records (dict, list)."
            )
        key = normalise_text(text)
        ids[i] = table.setdefault(key, len(table))
    return ids
