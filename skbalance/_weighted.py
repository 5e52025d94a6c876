"""WeightedClassifier: fit a classifier with class weights that a grid can tune."""

from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from skbalance._class_weight import ClassWeightComputer
from skbalance._compat import HasMethods, _check_sample_weight, _fit_context

__all__ = ["WeightedClassifier"]


def _estimator_has(attr, fitted="estimator_"):
    """Whether the fitted estimator (``fitted``), or else the given one, has
    ``attr``: for ``available_if`` on a meta-estimator's delegated methods."""

    def check(self):
        est = getattr(self, fitted, self.estimator)
        getattr(est, attr)  # raises AttributeError, hiding the method
        return True

    return check


class WeightedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Fit a classifier with per-sample weights computed from the labels.

    Wraps any classifier whose ``fit`` takes ``sample_weight`` and passes it
    the weights of a :class:`ClassWeightComputer`, so that the weighting is a
    step of the model: it is refitted on every training fold and its
    parameters can be tuned (``weighting__strategy``, ``weighting__beta``,
    ``weighting__max_weight``).

    Parameters
    ----------
    estimator : classifier
        Takes ``sample_weight`` in ``fit``; cloned at fit.
    weighting : ClassWeightComputer or None, default=None
        Computes the weights; cloned at fit. None is ``ClassWeightComputer()``:
        balanced weights whose sample weights average 1 (its default
        ``normalize="samples"``), which keeps the scale of the loss (and so the
        meaning of ``C`` or alpha).
        Pass an instance to tune its parameters as ``weighting__strategy``.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier.
    weighting_ : ClassWeightComputer
        The fitted weighting.
    classes_ : ndarray of shape (n_classes,)
        The classes, from ``estimator_``.

    See Also
    --------
    ClassWeightComputer : The weights, also exportable as JSON.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skbalance import ClassWeightComputer, WeightedClassifier
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> model = WeightedClassifier(
    ...     LogisticRegression(), weighting=ClassWeightComputer()
    ... )
    >>> grid = GridSearchCV(
    ...     model,
    ...     {"weighting__strategy": ["balanced", "sqrt", "effective_number"]},
    ...     scoring="f1_macro",
    ... ).fit(X, y)
    >>> sorted(grid.best_estimator_.weighting_.class_weight_)
    [0, 1]
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "weighting": [ClassWeightComputer, None],
    }

    def __init__(self, estimator, *, weighting=None):
        self.estimator = estimator
        self.weighting = weighting

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the weighting on y, then the classifier with those weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, passed to the classifier as is.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Counted in the class totals and multiplied with the class weights.
        **fit_params : dict
            Passed to the classifier's ``fit``.

        Returns
        -------
        self : WeightedClassifier
            The fitted model.
        """
        weighting = self.weighting
        if weighting is None:
            weighting = ClassWeightComputer()
        # class totals count sample_weight, so weighting a row by 2 is the same
        # as duplicating it
        self.weighting_ = clone(weighting).fit(y, sample_weight=sample_weight)
        weights = self.weighting_.sample_weight(y)
        if sample_weight is not None:
            weights = weights * _check_sample_weight(sample_weight, weights)
        estimator = clone(self.estimator)
        # a Pipeline takes sample_weight as <last step>__sample_weight
        steps = getattr(estimator, "steps", None)
        key = f"{steps[-1][0]}__sample_weight" if steps else "sample_weight"
        self.estimator_ = estimator.fit(X, y, **{key: weights}, **fit_params)
        self.classes_ = self.estimator_.classes_
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        if hasattr(self.estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.estimator_.feature_names_in_
        return self

    def predict(self, X):
        """Predict classes with the fitted classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predicted classes.
        """
        check_is_fitted(self)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the fitted classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities.
        """
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the fitted classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Log probabilities.
        """
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray
            Scores.
        """
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.input_tags = inner.input_tags
        return tags
