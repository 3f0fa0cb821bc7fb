using Herald.Storage;

namespace Herald.Broker.Internal;

/// <summary>
/// Hands out producer ids that are unique across restarts and crashes. Ids are reserved in blocks: the end of the block
/// is made durable before any id from it is given out, so a crash can skip ids but never repeat one.
/// </summary>
internal sealed class ProducerIdAllocator(ILogFileSystem fileSystem, string directory)
{
    private const string FileName = "producer-ids";
    private const long BlockSize = 1000;
    private readonly Lock _gate = new();
    private long _next = -1;
    private long _reservedUpTo = -1;

    public long Allocate()
    {
        lock (_gate)
        {
            if (_next < 0)
            {
                var path = Path.Combine(directory, FileName);
                var stored = AtomicFile.Read(fileSystem, path, maxBytes: 64);
                if (stored is null)
                {
                    _next = 0;
                }
                else if (!long.TryParse(System.Text.Encoding.ASCII.GetString(stored), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _next))
                {
                    throw new InvalidDataException($"'{path}' does not hold a producer id; ids must never repeat, so Herald will not guess one.");
                }

                _reservedUpTo = _next;
            }

            if (_next == _reservedUpTo)
            {
                _reservedUpTo = _next + BlockSize;
                AtomicFile.Write(fileSystem, directory, FileName, System.Text.Encoding.ASCII.GetBytes(_reservedUpTo.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            return _next++;
        }
    }
}
