namespace Herald.Server.Internal;

/// <summary>The live tails one server may hold open at once (<see cref="HttpOptions.MaxTails"/>).</summary>
internal sealed class TailSlots(HttpOptions options)
{
    private int _open;

    public bool TryTake()
    {
        if (Interlocked.Increment(ref _open) <= options.MaxTails)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Give() => Interlocked.Decrement(ref _open);
}
