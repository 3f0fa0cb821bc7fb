using Herald.Kafka.Internal;

namespace Herald.Kafka.Tests;

public sealed class RequestMemoryBudgetTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Waiters_are_served_in_order_and_a_cancelled_one_stops_standing_in_the_way()
    {
        var budget = new RequestMemoryBudget(10);
        Assert.True(budget.TryReserve(8));
        using var giveUp = new CancellationTokenSource();
        var large = budget.ReserveAsync(5, giveUp.Token);
        var small = budget.ReserveAsync(1, CancellationToken.None);

        Assert.False(small.IsCompleted); // 2 are free, but the large request came first
        Assert.False(budget.TryReserve(1));
        await giveUp.CancelAsync();

        await small.WaitAsync(Timeout);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => large.WaitAsync(Timeout));
        Assert.Equal(9, budget.InUse);
    }

    [Fact]
    public async Task Released_bytes_go_to_the_first_waiter_that_fits()
    {
        var budget = new RequestMemoryBudget(10);
        Assert.True(budget.TryReserve(10));
        var first = budget.ReserveAsync(6, CancellationToken.None);
        var second = budget.ReserveAsync(4, CancellationToken.None);

        budget.Release(5);
        Assert.False(first.IsCompleted);
        budget.Release(5);

        await Task.WhenAll(first, second).WaitAsync(Timeout);
        Assert.Equal(10, budget.InUse);
    }
}
