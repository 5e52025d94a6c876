"""``--engine spark`` of the command line: records read, planned and written
by Spark (the only modules, with :mod:`skbalance.spark` and
:mod:`skbalance._spark_plan`, that import pyspark)."""
