using System.Buffers;
using System.Runtime.InteropServices;

namespace Herald.Kafka.Internal;

/// <summary>
/// The bytes of one request, held from its length prefix until its response is written, and counted against the
/// connections' <see cref="RequestMemoryBudget"/> for that long. Small requests live in pooled arrays; a large one gets
/// memory of its own that goes back to the operating system when it is done, so one huge request does not leave the
/// process larger for good.
/// </summary>
internal readonly partial struct RequestFrame
{
    /// <summary>Requests up to this size use the shared array pool; Produce and Fetch requests are almost always below it.</summary>
    public const int PooledUpTo = 1024 * 1024;

    private readonly byte[]? _array;
    private readonly MemoryManager<byte>? _large;

    private RequestFrame(byte[]? array, MemoryManager<byte>? large, int length)
    {
        _array = array;
        _large = large;
        Length = length;
    }

    public int Length { get; }

    public Memory<byte> Memory => _large is null ? _array.AsMemory(0, Length) : _large.Memory[..Length];

    /// <summary>Memory for a request of <paramref name="length"/> bytes, which the caller has already reserved.</summary>
    public static RequestFrame Allocate(int length) => length <= PooledUpTo
        ? new RequestFrame(ArrayPool<byte>.Shared.Rent(length), null, length)
        : new RequestFrame(null, OperatingSystem.IsLinux() ? new MappedMemory(length) : new ArrayMemory(length), length);

    /// <summary>Gives the memory back and the reservation with it. Called exactly once per frame.</summary>
    public void Release(RequestMemoryBudget budget)
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        (_large as IDisposable)?.Dispose();
        budget.Release(Length);
    }

    /// <summary>Anonymous pages mapped for this request alone: only pages written count towards the process's memory, and unmapping returns them at once.</summary>
    private sealed unsafe partial class MappedMemory : MemoryManager<byte>
    {
        private const int ProtReadWrite = 0x1 | 0x2;
        private const int MapPrivateAnonymous = 0x02 | 0x20;
        private readonly int _length;
        private byte* _pointer;

        public MappedMemory(int length)
        {
            _length = length;
            var address = mmap(0, (nuint)length, ProtReadWrite, MapPrivateAnonymous, -1, 0);
            if (address == -1)
            {
                throw new OutOfMemoryException($"Could not map {length} bytes for a request (errno {Marshal.GetLastPInvokeError()}).");
            }

            _pointer = (byte*)address;
        }

        public override Span<byte> GetSpan() => new(_pointer, _length);

        public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
            if (_pointer is not null)
            {
                _ = munmap((nint)_pointer, (nuint)_length);
                _pointer = null;
            }
        }

        [LibraryImport("libc", SetLastError = true)]
        private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

        [LibraryImport("libc", SetLastError = true)]
        private static partial int munmap(nint address, nuint length);
    }

    /// <summary>Where pages cannot be mapped by hand: an array of its own, left to the collector.</summary>
    private sealed unsafe class ArrayMemory(int length) : MemoryManager<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(length, pinned: true);

        public override Span<byte> GetSpan() => _array;

        public override MemoryHandle Pin(int elementIndex = 0) =>
            new((byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array)) + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
