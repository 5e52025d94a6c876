"""Outputs of ``--engine spark``: Spark writes to a temporary folder next to
the target, which is then moved into place with the other outputs of the
command (the parts of ``split``), as one :func:`skbalance._io.staged_outputs`.
A JSON Lines output on the local file system (or standard output) becomes
one file, Spark's part files joined in order into a staged output; any other
output is the folder itself, renamed with Hadoop's file system API (HDFS, S3,
...) when the stage ends."""

import contextlib
import glob
import os
import shutil
import tempfile
import uuid
from urllib.parse import unquote

from skbalance._io import OutputError, check_folder, check_output, is_stdout
from skbalance._jsonl._scan import BOM

__all__ = ["Target", "remove_scratch", "sources", "stop_jobs", "writer"]


def _part_number(path):
    """The task number of a part file (``part-00012-...``), for the order of
    the parts (names past 99999 parts are longer, so not sorted by name)."""
    return int(os.path.basename(path).split("-")[1])


#: the temporary folders in use: path -> how to remove it
_SCRATCH = {}


def remove_scratch():
    """Remove the temporary folders in use (after Ctrl-C or SIGTERM)."""
    for remove in list(_SCRATCH.values()):
        remove()


def stop_jobs(context, timeout=30.0):
    """Cancel the jobs of a SparkContext and wait until none runs."""
    import time

    context.cancelAllJobs()
    deadline = time.monotonic() + timeout
    while context.statusTracker().getActiveJobsIds() and time.monotonic() < deadline:
        time.sleep(0.1)


def sources(spark, path, files):
    """The input as outputs must not touch it: its files (qualified URIs, from
    ``DataFrame.inputFiles()``) and, unless ``path`` is one file, the folders
    it reads from (a folder, the folders of a glob)."""
    Path = spark.sparkContext._jvm.org.apache.hadoop.fs.Path
    literal = Path(path)
    fs = literal.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    files = [fs.makeQualified(Path(f)).toString() for f in files]  # one URI form
    if fs.isFile(literal):
        return files, []
    folders = {f.rsplit("/", 1)[0] for f in files}
    if fs.isDirectory(literal):
        folders.add(fs.makeQualified(literal).toString().rstrip("/"))
    return files, sorted(folders)


class Target:
    """Where a command writes: one file (JSON Lines on the local file system,
    or standard output) or a folder of part files; never an input file, nor
    anything inside a folder the input is read from."""

    def __init__(self, spark, path, *, fmt, parts, force, inputs):
        self.spark, self.path, self.fmt, self.force = spark, path, fmt, force
        self.files, self.folders = inputs
        self.local_files = [unquote(f[5:]) for f in self.files if f.startswith("file:")]
        jvm = spark.sparkContext._jvm
        self._Path = jvm.org.apache.hadoop.fs.Path
        conf = spark.sparkContext._jsc.hadoopConfiguration()
        self.single = is_stdout(path)
        if not self.single:
            target = self._Path(path)
            self.fs = target.getFileSystem(conf)
            self.target = self.fs.makeQualified(target)
            self.local = self.fs.getScheme() == "file"
            self.single = fmt == "jsonl" and not parts and self.local

    def _refuse(self, why, reason):
        return OutputError(f"{self.path}: {why}", reason)

    def check(self):
        if self.single:
            check_output(self.path, force=self.force, inputs=self.local_files)
        if is_stdout(self.path):
            return
        name = self.target.toString().rstrip("/")
        for source in self.files:
            if source == name or source.startswith(name + "/"):
                raise self._refuse(
                    "refusing to overwrite the input; write to another path.", "input"
                )
        for folder in self.folders:
            if name.startswith(folder + "/"):
                shown = unquote(folder[5:]) if folder.startswith("file:") else folder
                raise self._refuse(
                    f"is inside {shown}, which the input is read from; "
                    "write to another folder.",
                    "input",
                )
        if self.single:
            return
        if not self.fs.exists(self.target.getParent()):
            raise self._refuse(
                f"the folder {os.path.dirname(self.path) or '.'} does not exist.",
                "folder",
            )
        if self.local:  # before any work, as for a single file
            check_folder(self.path, self.target.getParent().toUri().getPath())
        if self.local and os.path.islink(self.path):
            raise self._refuse(
                "is a symbolic link; a folder of part files replaces no link.", "link"
            )
        if not self.fs.exists(self.target):
            return
        if not self.force:
            raise self._refuse(
                "already exists; pass --force to overwrite it.", "exists"
            )
        if not self.fs.getFileStatus(self.target).isDirectory():
            raise self._refuse(
                "is not a folder; a folder of part files replaces only a folder.",
                "not-folder",
            )
        marker = self._Path(self.target, "_SUCCESS")
        if not self.fs.exists(marker) and self.fs.listStatus(self.target):
            raise self._refuse(
                "is a folder that Spark did not write (no _SUCCESS file); refusing "
                "to replace it.",
                "not-ours",
            )

    @contextlib.contextmanager
    def scratch(self):
        """A new temporary folder next to the target (the system's temporary
        folder for standard output), for Spark to write ``scratch/out``;
        removed at the end, after Spark's jobs are stopped if one fails or
        is interrupted (so that no task writes into it again)."""
        if self.single:
            folder = (
                tempfile.gettempdir()
                if is_stdout(self.path)
                else os.path.dirname(os.path.realpath(self.path))
            )
            path = "file://" + tempfile.mkdtemp(prefix=".skbalance-", dir=folder)
        else:
            name = f".{self.target.getName()}.skbalance-{uuid.uuid4().hex}.tmp"
            path = self._Path(self.target.getParent(), name).toString()

        def remove():
            _SCRATCH.pop(path, None)
            if path.startswith("file://"):
                shutil.rmtree(path[len("file://") :], ignore_errors=True)
            else:
                self.fs.delete(self._Path(path), True)

        _SCRATCH[path] = remove
        try:
            yield path
        except BaseException:
            stop_jobs(self.spark.sparkContext)
            raise
        finally:
            remove()

    def take(self, written, empty, stage, *, bom=False):
        """Put Spark's folder ``written`` (or, when Spark wrote no such
        folder, an empty output written by ``empty(folder)``) in ``stage``,
        an :class:`~skbalance._io.OutputStage`: a single file is joined now
        into a staged file, and starts with a byte order mark when ``bom``;
        a folder is moved into place with the stage's renames."""
        if self.single:
            local = written[len("file://") :]
            if not os.path.isdir(local):
                empty(written)
            fh = stage.open(self.path, force=self.force, inputs=self.local_files)
            if bom:
                fh.write(BOM)
            parts = glob.glob(os.path.join(local, "part-*"))
            for part in sorted(parts, key=_part_number):
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, fh, 1 << 20)
            return
        source = self._Path(written)
        if not self.fs.exists(source):
            empty(written)
        success = self._Path(source, "_SUCCESS")
        if not self.fs.exists(success):  # a part of split: mark it complete too
            self.fs.create(success).close()
        stage.add_move(lambda: self._move(source))

    def _move(self, source):
        if self.fs.exists(self.target):
            self.fs.delete(self.target, True)
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
