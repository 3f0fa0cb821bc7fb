namespace Herald.Broker.Tests;

/// <summary>A fresh broker per test, on disk (its own temporary directory) or in memory.</summary>
public abstract class BrokerTestBase : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    protected BrokerTestBase(bool inMemory)
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "herald-broker-tests", Guid.NewGuid().ToString("N"));
        Options = new BrokerOptions { DataDirectory = DataDirectory, InMemory = inMemory };
    }

    protected string DataDirectory { get; }

    protected BrokerOptions Options { get; }

    protected HeraldBroker Broker { get; set; } = null!;

    public async Task InitializeAsync()
    {
        Broker = await HeraldBroker.StartAsync(Options).WaitAsync(Timeout);
        Prepare();
    }

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>Sets up what every test of a class needs, once the broker runs.</summary>
    protected virtual void Prepare()
    {
    }
}
