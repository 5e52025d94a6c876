"""LLM generation for :class:`skbalance.LLMAugmentSampler`: generators
(the Anthropic SDK, callables, offline), requests, sending, the on-disk
cache, rewrite checks and a local fake of the Messages API for tests. The
only modules that import ``anthropic``."""
