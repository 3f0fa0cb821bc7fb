using System.Text;
using CloudNative.CloudEvents;

namespace Herald.Client.Tests;

/// <summary>Herald's envelope is the CloudEvents Kafka binding: the official CloudEvents SDK reads it, and Herald reads others'.</summary>
public sealed class CloudEventsInteropTests
{
    [Fact]
    public void The_CloudEvents_SDK_reads_Herald_headers_as_a_valid_event()
    {
        var id = Guid.CreateVersion7();
        var time = new DateTimeOffset(2026, 11, 27, 10, 30, 15, 123, TimeSpan.Zero);
        var headers = CloudEventHeaders.Write(new EventMetadata(id, new EventTypeName("OrderPlaced", 2), "/checkout", time, "o-1", "corr-1", "cause-1", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null));

        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0);
        foreach (var (name, value) in headers)
        {
            var text = Encoding.UTF8.GetString(value);
            if (name == "content-type")
            {
                cloudEvent.DataContentType = text;
            }
            else if (name.StartsWith("ce_", StringComparison.Ordinal) && name != "ce_specversion")
            {
                cloudEvent.SetAttributeFromString(name["ce_".Length..], text);
            }
        }

        Assert.True(cloudEvent.IsValid);
        Assert.Equal(id.ToString(), cloudEvent.Id);
        Assert.Equal("OrderPlaced.v2", cloudEvent.Type);
        Assert.Equal(new Uri("/checkout", UriKind.RelativeOrAbsolute), cloudEvent.Source);
        Assert.Equal(time, cloudEvent.Time);
        Assert.Equal("o-1", cloudEvent.Subject);
        Assert.Equal("application/json", cloudEvent.DataContentType);
        Assert.Equal("corr-1", cloudEvent["correlationid"]);
        Assert.Equal("cause-1", cloudEvent["causationid"]);
    }

    [Fact]
    public void Herald_reads_events_other_producers_wrote()
    {
        KeyValuePair<string, byte[]> H(string name, string value) => new(name, Encoding.UTF8.GetBytes(value));
        var headers = new List<KeyValuePair<string, byte[]>>
        {
            H("ce_specversion", "1.0"), H("ce_id", "A234-1234-1234"), H("ce_type", "com.example.someevent"),
            H("ce_source", "https://example.com/cloudevents/pull"), H("ce_time", "2018-04-05T17:31:00Z"), H("content-type", "application/json"),
        };

        var metadata = CloudEventHeaders.Read(headers, key: "k");

        Assert.Equal(new EventTypeName("com.example.someevent", 1), metadata.Type);
        Assert.Equal(metadata.Id, CloudEventHeaders.Read(headers, "k").Id); // an id that is not a GUID still maps to one id, for idempotency
        Assert.Equal(("https://example.com/cloudevents/pull", "k"), (metadata.Source, metadata.Key));
        Assert.Equal(new DateTimeOffset(2018, 4, 5, 17, 31, 0, TimeSpan.Zero), metadata.Time);
    }

    [Theory]
    [InlineData("ce_id", false)]
    [InlineData("ce_type", false)]
    [InlineData("ce_source", false)]
    [InlineData("ce_specversion", false)]
    [InlineData("ce_id", true)]
    [InlineData("ce_type", true)]
    [InlineData("ce_source", true)]
    public void A_record_missing_a_required_attribute_or_with_an_empty_one_is_not_an_event(string attribute, bool empty)
    {
        var headers = CloudEventHeaders.Write(new EventMetadata(Guid.CreateVersion7(), new EventTypeName("OrderPlaced", 1), "/s", DateTimeOffset.UtcNow, null, null, null, null, null))
            .Select(h => h.Key == attribute && empty ? new KeyValuePair<string, byte[]>(h.Key, []) : h)
            .Where(h => h.Key != attribute || empty).ToList();

        Assert.Throws<InvalidEventException>(() => CloudEventHeaders.Read(headers, null));
    }

    [Theory]
    [InlineData("OrderPlaced.v3", "OrderPlaced", 3)]
    [InlineData("OrderPlaced", "OrderPlaced", 1)]
    [InlineData("com.example.v2x", "com.example.v2x", 1)]
    [InlineData("Order.v0", "Order.v0", 1)]
    public void Type_names_carry_their_version(string type, string name, int version) =>
        Assert.Equal(new EventTypeName(name, version), EventTypeName.Parse(type));
}
