using System.IO.Hashing;
using System.Text;

namespace Shop.Common;

/// <summary>
/// Ids derived from what they identify, so that doing the same thing twice (a redelivered command, a restarted
/// service) produces the same id, and consumers recognise the second as a duplicate.
/// </summary>
public static class StableIds
{
    /// <summary>A GUID fixed by <paramref name="parts"/>.</summary>
    public static Guid For(params string[] parts)
    {
        Span<byte> bytes = stackalloc byte[16];
        XxHash128.Hash(Encoding.UTF8.GetBytes(string.Join('/', parts)), bytes);
        return new Guid(bytes);
    }
}
