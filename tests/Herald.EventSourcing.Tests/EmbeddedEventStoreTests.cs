namespace Herald.EventSourcing.Tests;

public sealed class EmbeddedEventStoreTests : EventStoreCompliance
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-es-" + Guid.NewGuid().ToString("N"));

    protected override Task<IEventStore> OpenAsync() =>
        Task.FromResult<IEventStore>(EmbeddedEventStore.Open(new EmbeddedEventStoreOptions { Directory = _directory }));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task An_append_larger_than_the_limit_is_refused_whole()
    {
        await using var small = EmbeddedEventStore.Open(new EmbeddedEventStoreOptions { Directory = _directory + "-small", MaxAppendBytes = 4096 });
        try
        {
            var big = new string('x', 3000);
            var refused = await Assert.ThrowsAsync<ArgumentException>(() => small.AppendAsync("order-1", ExpectedVersion.Any, [Event(body: $"\"{big}\""), Event(body: $"\"{big}\"")]));

            Assert.Contains("MaxAppendBytes", refused.Message, StringComparison.Ordinal);
            Assert.Null(await small.GetStreamVersionAsync("order-1"));
            Assert.Equal(0, await small.GetEndPositionAsync());
        }
        finally
        {
            await small.DisposeAsync();
            Directory.Delete(_directory + "-small", recursive: true);
        }
    }
}
