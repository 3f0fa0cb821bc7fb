using System.IO.Hashing;
using System.Text;

namespace Shop.Common;

/// <summary>
/// The faults the demo injects on purpose. Ratios pick their victims by a hash of the seed and the victim's key, so
/// one seed hits the same orders in every run and on every thread. The switches are flipped on a schedule while the
/// shop runs (in process, or through a service's <c>POST /faults</c>). Thread-safe.
/// </summary>
public sealed class ShopFaults
{
    private volatile bool _poisonPayments;
    private volatile bool _inventoryDown;
    private volatile bool _inventoryFixed;
    private volatile bool _slowEmail;

    /// <summary>Off by default: a service run on its own injects nothing unless configured to.</summary>
    public bool Enabled { get; set; }

    /// <summary>Which orders, emails and payments are hit.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>The share of payments the Payment service publishes twice (a producer retry after a lost acknowledgement).</summary>
    public double DuplicatePayments { get; set; } = 0.1;

    /// <summary>The share of orders whose OrderPaid is published late, after their OrderShipped.</summary>
    public double ReorderedOrders { get; set; } = 0.1;

    /// <summary>The share of emails whose first sending attempts fail with a transient SMTP error.</summary>
    public double SmtpFailures { get; set; } = 0.2;

    /// <summary>The share of payments published with a currency code Inventory's code does not read, while <see cref="PoisonPayments"/> is on.</summary>
    public double PoisonShare { get; set; } = 0.2;

    /// <summary>Payments go out malformed (see <see cref="PoisonShare"/>).</summary>
    public bool PoisonPayments { get => _poisonPayments; set => _poisonPayments = value; }

    /// <summary>Inventory's database refuses every call.</summary>
    public bool InventoryDown { get => _inventoryDown; set => _inventoryDown = value; }

    /// <summary>Inventory's fix for the malformed payments is deployed: it reads the currency case-insensitively.</summary>
    public bool InventoryFixed { get => _inventoryFixed; set => _inventoryFixed = value; }

    /// <summary>The email provider throttles: each email takes a quarter of a second.</summary>
    public bool SlowEmail { get => _slowEmail; set => _slowEmail = value; }

    /// <summary>Whether <paramref name="fault"/> hits <paramref name="key"/>, with probability <paramref name="ratio"/>.</summary>
    public bool Hits(string fault, string key, double ratio) => Enabled && ratio > 0 && Fraction(Seed, fault, key) < ratio;

    /// <summary>A number in [0, 1) fixed by the seed, the fault and the key.</summary>
    public static double Fraction(int seed, string fault, string key)
    {
        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{seed}/{fault}/{key}"));
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>The switches, as <c>GET /faults</c> shows them and <c>POST /faults</c> takes them.</summary>
    public FaultSwitches Switches
    {
        get => new(PoisonPayments, InventoryDown, InventoryFixed, SlowEmail);
        set => (PoisonPayments, InventoryDown, InventoryFixed, SlowEmail) = (value.PoisonPayments, value.InventoryDown, value.InventoryFixed, value.SlowEmail);
    }
}

/// <summary>The faults that are switched on and off while the shop runs.</summary>
public sealed record FaultSwitches(bool PoisonPayments, bool InventoryDown, bool InventoryFixed, bool SlowEmail);
