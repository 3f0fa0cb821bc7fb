using Herald.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shop.Common;

namespace Shop.Demo;

/// <summary>
/// The operator's tools, on the same broker as the shop: every group's lag, and the dead-letter topics (list,
/// redrive). It is a Herald registration of its own with no consumers, as an operations dashboard would have.
/// </summary>
internal sealed class ShopOperator : IAsyncDisposable
{
    private readonly IHost _host;

    private ShopOperator(IHost host) => _host = host;

    public GroupLagReader Lag => _host.Services.GetRequiredService<GroupLagReader>();

    public DeadLetterQueue DeadLetters => _host.Services.GetRequiredService<DeadLetterQueue>();

    public static async Task<ShopOperator> StartAsync(ShopSettings settings, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddHerald(herald => herald.UseShopTransport(settings));
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new ShopOperator(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }
}
