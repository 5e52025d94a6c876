"""Outputs of ``--engine spark``: Spark writes to a temporary folder next to
the target, which is then moved into place. A JSON Lines output on the local
file system (or standard output) becomes one file, Spark's part files joined
in order through :func:`skbalance._io.atomic_output`; any other output is
the folder itself, renamed with Hadoop's file system API (HDFS, S3, ...)."""

import glob
import os
import shutil
import tempfile
import uuid

from skbalance._io import OutputError, atomic_output, check_output, is_stdout

__all__ = ["Target", "writer"]


class Target:
    """Where a command writes: one file (JSON Lines on the local file system,
    or standard output) or a folder of part files, never an input."""

    def __init__(self, spark, path, *, fmt, parts, force, inputs):
        self.spark, self.path, self.fmt, self.force = spark, path, fmt, force
        self.inputs = [i for i in inputs if i != "-"]
        jvm = spark.sparkContext._jvm
        self._Path = jvm.org.apache.hadoop.fs.Path
        conf = spark.sparkContext._jsc.hadoopConfiguration()
        self.single = is_stdout(path)
        if not self.single:
            target = self._Path(path)
            self.fs = target.getFileSystem(conf)
            self.target = self.fs.makeQualified(target)
            local = self.fs.getScheme() == "file"
            self.single = fmt == "jsonl" and not parts and local
            self.local_path = self.target.toUri().getPath() if local else None

    def check(self):
        if self.single:
            check_output(self.path, force=self.force, inputs=self.inputs)
            return
        for source in self.inputs:
            qualified = self.fs.makeQualified(self._Path(source)).toString()
            name = self.target.toString()
            if qualified == name or qualified.startswith(name.rstrip("/") + "/"):
                raise OutputError(
                    f"{self.path}: refusing to overwrite the input; write to "
                    "another path.",
                    "input",
                )
        if not self.fs.exists(self.target.getParent()):
            raise OutputError(
                f"{self.path}: the folder {os.path.dirname(self.path) or '.'} does "
                "not exist.",
                "folder",
            )
        if self.fs.exists(self.target) and not self.force:
            raise OutputError(
                f"{self.path}: already exists; pass --force to overwrite it.", "exists"
            )

    def scratch(self):
        """A new temporary folder next to the target (the system's temporary
        folder for standard output), for Spark to write ``scratch/out``."""
        if self.single:
            folder = (
                tempfile.gettempdir()
                if is_stdout(self.path)
                else os.path.dirname(os.path.realpath(self.path))
            )
            return "file://" + tempfile.mkdtemp(prefix=".skbalance-", dir=folder)
        name = f".{self.target.getName()}.skbalance-{uuid.uuid4().hex}.tmp"
        return self._Path(self.target.getParent(), name).toString()

    def remove(self, scratch):
        if scratch.startswith("file://"):
            shutil.rmtree(scratch[len("file://") :], ignore_errors=True)
        else:
            self.fs.delete(self._Path(scratch), True)

    def take(self, written, empty):
        """Move Spark's folder ``written`` (or, when Spark wrote no such
        folder, an empty output written by ``empty(folder)``) into place."""
        if self.single:
            local = written[len("file://") :]
            if not os.path.isdir(local):
                empty(written)
            with atomic_output(self.path, force=self.force, inputs=self.inputs) as fh:
                for part in sorted(glob.glob(os.path.join(local, "part-*"))):
                    with open(part, "rb") as src:
                        shutil.copyfileobj(src, fh, 1 << 20)
            return
        source = self._Path(written)
        if not self.fs.exists(source):
            empty(written)
        if self.fs.exists(self.target):
            self.fs.delete(self.target, True)
        success = self._Path(source, "_SUCCESS")
        if not self.fs.exists(success):  # a part of split: mark it complete too
            self.fs.create(success).close()
        if not self.fs.rename(source, self.target):
            raise OutputError(f"{self.path}: could not move the output in place.", "io")


def writer(frame, fmt, partition_by=None):
    def write(path):
        w = frame.write.mode("errorifexists")
        if partition_by is not None:
            w = w.partitionBy(partition_by)
        if fmt == "jsonl":
            w.text(path)
        else:
            w.parquet(path)

    return write
