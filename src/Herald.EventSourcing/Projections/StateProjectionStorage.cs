using System.Globalization;
using System.Text;
using System.Text.Json;
using Herald.Client;
using Herald.Storage;

namespace Herald.EventSourcing;

/// <summary>
/// A state projection's generations as files in its directory: <c>g{N}.state</c> holds a header line (generation,
/// version, checkpoint) and the state, replaced atomically so the two always belong together; <c>live</c> names the
/// generation served.
/// </summary>
internal sealed class StateProjectionStorage<TState>(StateProjection<TState> projection, string directory, EventSerializer serializer) : IProjectionStorage
{
    private readonly StateProjection<TState> _projection = projection;
    private readonly string _directory = directory;
    private readonly EventSerializer _serializer = serializer;
    private const string LiveFile = "live";
    private static readonly DiskFileSystem Disk = DiskFileSystem.Instance;

    public Task<IReadOnlyList<GenerationInfo>> ListAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_directory);
        var live = ReadLive();
        var found = new List<GenerationInfo>();
        foreach (var path in Directory.EnumerateFiles(_directory, "g*.state"))
        {
            var header = ReadHeader(path);
            found.Add(header with { Live = header.Generation == live });
        }

        return Task.FromResult<IReadOnlyList<GenerationInfo>>(found);
    }

    public Task<IProjectionGeneration> OpenAsync(GenerationInfo generation, CancellationToken cancellationToken)
    {
        var (header, state) = ReadFile(PathOf(generation.Generation), servedAsIs: generation.Version != _projection.Version);
        return Task.FromResult<IProjectionGeneration>(new Generation(this, header with { Live = generation.Live }, state));
    }

    public Task<IProjectionGeneration> CreateAsync(int version, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_directory);
        var next = Directory.EnumerateFiles(_directory, "g*.state").Select(p => ReadHeader(p).Generation).DefaultIfEmpty(0).Max() + 1;
        var generation = new Generation(this, new GenerationInfo(next, version, 0, Live: false), _projection.Initial);
        generation.Save();
        return Task.FromResult<IProjectionGeneration>(generation);
    }

    public Task TakeOverAsync(IProjectionGeneration next, GenerationInfo? previous, CancellationToken cancellationToken)
    {
        ((Generation)next).Save();
        AtomicFile.Write(Disk, _directory, LiveFile, Encoding.ASCII.GetBytes(next.Info.Generation.ToString(CultureInfo.InvariantCulture)));
        next.Serve();
        if (previous is not null)
        {
            File.Delete(PathOf(previous.Generation));
        }

        return Task.CompletedTask;
    }

    public Task DropAsync(GenerationInfo generation, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(generation.Generation));
        return Task.CompletedTask;
    }

    private int? ReadLive() =>
        AtomicFile.Read(Disk, Path.Combine(_directory, LiveFile), maxBytes: 32) is { } bytes
        && int.TryParse(Encoding.ASCII.GetString(bytes), NumberStyles.None, CultureInfo.InvariantCulture, out var live)
            ? live
            : null;

    private string PathOf(int generation) => Path.Combine(_directory, $"g{generation}.state");

    private static GenerationInfo ReadHeader(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return ParseHeader(path, reader.ReadLine());
    }

    private static GenerationInfo ParseHeader(string path, string? line)
    {
        try
        {
            return JsonSerializer.Deserialize<GenerationInfo>(line ?? "") ?? throw new JsonException("no header");
        }
        catch (JsonException exception)
        {
            throw new CorruptLogException(path, 0, $"a projection state file has no readable header: {exception.Message}");
        }
    }

    // An older version's state may not read as today's TState; it is served as the initial state until the new one takes over.
    private (GenerationInfo Header, TState State) ReadFile(string path, bool servedAsIs)
    {
        var bytes = File.ReadAllBytes(path);
        var newline = Array.IndexOf(bytes, (byte)'\n');
        var header = ParseHeader(path, newline < 0 ? null : Encoding.UTF8.GetString(bytes, 0, newline));
        try
        {
            return (header, (TState?)_serializer.DeserializeValue(bytes.AsMemory(newline + 1), typeof(TState)) ?? _projection.Initial);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException && servedAsIs)
        {
            return (header, _projection.Initial);
        }
        catch (JsonException exception)
        {
            throw new CorruptLogException(path, newline + 1, $"a projection's state can't be read as {typeof(TState).Name}: {exception.Message}");
        }
    }

    /// <summary>A generation's state in memory, saved with its checkpoint at most every <see cref="StateProjection{TState}.SaveInterval"/>.</summary>
    private sealed class Generation(StateProjectionStorage<TState> storage, GenerationInfo info, TState state) : IProjectionGeneration
    {
        private TState _state = state;
        private long _savedAt = Environment.TickCount64;
        private bool _dirty;

        public GenerationInfo Info { get; private set; } = info;

        public Task ApplyAsync(IReadOnlyList<ProjectedEvent> events, long checkpoint, CancellationToken cancellationToken)
        {
            // Applied to a copy first: an Apply that throws leaves state and checkpoint as they were.
            var state = _state;
            foreach (var e in events)
            {
                state = storage._projection.Apply(state, e);
            }

            _state = state;
            Info = Info with { Checkpoint = checkpoint };
            _dirty = true;
            if (Info.Live)
            {
                storage._projection.Serve(state);
            }

            if (Environment.TickCount64 - _savedAt >= storage._projection.SaveInterval.TotalMilliseconds)
            {
                Save();
            }

            return Task.CompletedTask;
        }

        public void Serve()
        {
            Info = Info with { Live = true };
            storage._projection.Serve(_state);
        }

        public void Save()
        {
            using var content = new MemoryStream();
            JsonSerializer.Serialize(content, Info with { Live = false });
            content.WriteByte((byte)'\n');
            content.Write(storage._serializer.Serialize(_state!, typeof(TState)));
            AtomicFile.Write(Disk, storage._directory, Path.GetFileName(storage.PathOf(Info.Generation)), content.GetBuffer().AsSpan(0, (int)content.Length));
            _savedAt = Environment.TickCount64;
            _dirty = false;
        }

        public ValueTask DisposeAsync()
        {
            if (_dirty && File.Exists(storage.PathOf(Info.Generation)))
            {
                Save();
            }

            return ValueTask.CompletedTask;
        }
    }
}
