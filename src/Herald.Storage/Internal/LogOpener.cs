using Microsoft.Extensions.Logging;

namespace Herald.Storage.Internal;

/// <summary>
/// Opens the segments of a partition directory: checks the format version, trusts what a clean close or the recovery
/// point vouches for, validates the rest, cuts a torn tail and reports corruption. Used once per open.
/// </summary>
internal sealed class LogOpener(string directory, LogOptions options, ILogFileSystem fileSystem, ILogger logger)
{
    private const int FormatVersion = 1;

    private bool _wasClean;

    public readonly record struct Result(LogSegment[] Segments, long LogStartOffset, bool WasClean, bool IsNew);

    public Result Open()
    {
        fileSystem.CreateDirectory(directory);
        if (Path.GetDirectoryName(Path.GetFullPath(directory)) is { Length: > 0 } parent)
        {
            fileSystem.SyncDirectory(parent); // a new partition directory must survive a power cut along with its files
        }
        CheckFormat();
        var bases = ListSegmentsAndTidy();
        var clean = ReadCheckpoint(LogFileNames.CleanShutdown, 3);
        var recoveryPoint = ReadRecoveryPoint();
        var logStart = ReadCheckpoint(LogFileNames.LogStartOffset, 1)?[0] ?? 0;

        var isNew = bases.Count == 0 && clean is null && recoveryPoint.SegmentBaseOffset == long.MaxValue;
        var segments = new List<LogSegment>();
        try
        {
            if (bases.Count == 0)
            {
                segments.Add(LogSegment.Create(fileSystem, directory, Math.Max(logStart, clean?[0] ?? 0), options.IndexIntervalBytes));
                _wasClean = clean is not null;
            }
            else
            {
                LoadSegments(bases, clean, recoveryPoint, segments);
            }

            if (logStart > segments[^1].NextOffset)
            {
                // Records above the end were deleted before a crash lost the tail they sat on. Start again at the
                // log start, as Kafka does, so no offset a consumer may have seen is handed out twice.
                foreach (var segment in segments)
                {
                    segment.Delete();
                }

                segments.Clear();
                segments.Add(LogSegment.Create(fileSystem, directory, logStart, options.IndexIntervalBytes));
            }

            var last = segments[^1];
            last.Flush();
            CheckpointFile.Write(fileSystem, directory, LogFileNames.RecoveryPoint, last.BaseOffset, last.Size);
            CheckpointFile.Delete(fileSystem, directory, LogFileNames.CleanShutdown);
            fileSystem.SyncDirectory(directory);
            last.IsDirectoryEntryDurable = true;
            return new Result([.. segments], Math.Max(logStart, segments[0].BaseOffset), _wasClean, isNew);
        }
        catch
        {
            foreach (var segment in segments)
            {
                segment.Release();
            }

            throw;
        }
    }

    private void LoadSegments(List<long> bases, long[]? clean, DurablePosition recoveryPoint, List<LogSegment> segments)
    {
        _wasClean = clean is not null && clean[1] == bases[^1] && FileLength(LogFileNames.Segment(directory, bases[^1])) == clean[2];

        var firstUntrusted = bases.Count;
        for (var i = 0; i < bases.Count; i++)
        {
            var trusted = _wasClean || (i + 1 < bases.Count && bases[i + 1] <= recoveryPoint.SegmentBaseOffset);
            if (!trusted)
            {
                firstUntrusted = i;
                break;
            }

            var segment = LogSegment.OpenExisting(fileSystem, directory, bases[i], options.IndexIntervalBytes);
            segments.Add(segment);
            if (segment.LoadTrusted(segment.FileLength))
            {
                Log.IndexesRebuilt(logger, segment.FilePath);
                segment.WriteIndexFiles();
            }

            CheckFollows(segments);
        }

        if (firstUntrusted < bases.Count)
        {
            Recover(bases, firstUntrusted, recoveryPoint, segments);
        }
    }

    // Validates every batch from the recovery point to the end. Damage before the recovery point hit synced data and
    // stops the partition; damage after it is a torn tail of writes that never reached the disk, and is cut off.
    private void Recover(List<long> bases, int first, DurablePosition recoveryPoint, List<LogSegment> segments)
    {
        for (var i = first; i < bases.Count; i++)
        {
            var segment = LogSegment.OpenExisting(fileSystem, directory, bases[i], options.IndexIntervalBytes);
            segments.Add(segment);
            var fileLength = segment.FileLength;
            var problem = segment.RebuildFromScan(fileLength, verifyCrc: true);
            CheckFollows(segments);

            // What a killed process left in the page cache becomes durable before the recovery point moves past it.
            segment.Flush();
            if (segment.BaseOffset == recoveryPoint.SegmentBaseOffset && segment.Size < recoveryPoint.Position && problem is null)
            {
                throw new CorruptLogException(segment.FilePath, segment.Size, $"the segment ends at byte {segment.Size} but data up to byte {recoveryPoint.Position} had been synced");
            }

            if (problem is not { } damage)
            {
                if (i < bases.Count - 1)
                {
                    segment.WriteIndexFiles();
                }

                continue;
            }

            var synced = recoveryPoint.SyncedBytesOf(segment.BaseOffset);
            if (damage.Position < synced)
            {
                throw new CorruptLogException(segment.FilePath, damage.Position, $"{damage.Problem}; the data up to byte {synced} had been synced, so this is not a torn tail");
            }

            Log.TornTailTruncated(logger, segment.FilePath, damage.Position, fileLength - damage.Position, damage.Problem);
            segment.TruncateToValidData();
            for (var j = i + 1; j < bases.Count; j++)
            {
                var path = LogFileNames.Segment(directory, bases[j]);
                fileSystem.DeleteFile(path);
                fileSystem.DeleteFile(LogFileNames.OffsetIndex(directory, bases[j]));
                fileSystem.DeleteFile(LogFileNames.TimeIndex(directory, bases[j]));
                Log.SegmentAfterTornTailDeleted(logger, path);
            }

            fileSystem.SyncDirectory(directory);
            return;
        }
    }

    // A missing or unreadable recovery point is treated as "everything was synced": damage then stops the partition
    // rather than being cut off, because nothing says it is safe to cut.
    private DurablePosition ReadRecoveryPoint()
    {
        var values = ReadCheckpoint(LogFileNames.RecoveryPoint, 2);
        return values is null ? new DurablePosition(long.MaxValue, 0) : new DurablePosition(values[0], values[1]);
    }

    private static void CheckFollows(List<LogSegment> segments)
    {
        if (segments.Count < 2)
        {
            return;
        }

        var previous = segments[^2];
        var current = segments[^1];
        if (current.BaseOffset < previous.NextOffset)
        {
            throw new CorruptLogException(current.FilePath, 0, $"segment starts at offset {current.BaseOffset}, inside the previous segment which ends at {previous.NextOffset}");
        }
    }

    private void CheckFormat()
    {
        var version = ReadCheckpoint(LogFileNames.FormatMarker, 1);
        if (version is null)
        {
            CheckpointFile.Write(fileSystem, directory, LogFileNames.FormatMarker, FormatVersion);
            return;
        }

        if (version[0] != FormatVersion)
        {
            throw new NotSupportedException($"The log in '{directory}' uses format version {version[0]}; this Herald reads version {FormatVersion}.");
        }
    }

    private List<long> ListSegmentsAndTidy()
    {
        var names = fileSystem.ListFiles(directory);
        var bases = new List<long>();
        foreach (var name in names)
        {
            if (LogFileNames.TryParseSegment(name, out var baseOffset))
            {
                bases.Add(baseOffset);
            }
        }

        bases.Sort();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var baseOffset in bases)
        {
            known.Add(Path.GetFileNameWithoutExtension(LogFileNames.Segment(directory, baseOffset)));
        }

        foreach (var name in names)
        {
            var isTemporary = name.EndsWith(LogFileNames.TemporaryExtension, StringComparison.Ordinal);
            var isOrphanIndex = (name.EndsWith(LogFileNames.OffsetIndexExtension, StringComparison.Ordinal) || name.EndsWith(LogFileNames.TimeIndexExtension, StringComparison.Ordinal))
                && !known.Contains(Path.GetFileNameWithoutExtension(name));
            if (isTemporary || isOrphanIndex)
            {
                fileSystem.DeleteFile(Path.Combine(directory, name));
                Log.LeftoverRemoved(logger, name);
            }
        }

        return bases;
    }

    private long[]? ReadCheckpoint(string name, int values)
    {
        var result = CheckpointFile.Read(fileSystem, directory, name, values);
        if (result is null && fileSystem.FileExists(Path.Combine(directory, name)))
        {
            Log.CheckpointUnreadable(logger, name);
        }

        return result;
    }

    private long FileLength(string path)
    {
        using var file = fileSystem.OpenOrCreate(path);
        return file.Length;
    }
}
