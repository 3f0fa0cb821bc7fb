using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;

namespace Herald.Kafka.Tests;

/// <summary>Malformed bodies raise <see cref="KafkaProtocolException"/> before any allocation their lengths ask for.</summary>
public sealed class KafkaReaderTests
{
    [Theory]
    [InlineData(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF })] // int32 array length of 2^31-1 with nothing after it
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x02, 0x00 })] // two topics promised, one byte left
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x7F, 0xFF })] // a topic name of 32767 bytes that are not there
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0xFF, 0xFE })] // a topic name of length -2
    public void Metadata_v1_with_impossible_lengths_is_refused(byte[] body)
    {
        Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(body);
            MetadataRequest.Read(ref reader, 1);
        });
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })] // a varint longer than five bytes
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })] // 2^32-1: beyond int
    [InlineData(new byte[] { 0x80 })] // cut off mid-varint
    public void Bad_unsigned_varints_are_refused(byte[] body)
    {
        Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(body);
            reader.ReadUnsignedVarint();
        });
    }

    [Fact]
    public void A_compact_null_where_a_string_is_required_is_refused()
    {
        // FindCoordinator v3 (flexible): Key is a non-nullable compact string; 0 encodes null.
        Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(new byte[] { 0x00, 0x00, 0x00 });
            FindCoordinatorRequest.Read(ref reader, 3);
        });
    }

    [Fact]
    public void A_tagged_field_that_overruns_its_size_is_refused()
    {
        // FetchRequest v12 ends with tagged fields; tag 0 (ClusterId) claims 1 byte but holds a 3-byte compact string.
        var request = new FetchRequest { ReplicaId = -1, Topics = [], ForgottenTopicsData = [] };
        using var writer = new KafkaWriter();
        request.Write(writer, 12);
        var bytes = writer.WrittenSpan.ToArray();
        bytes[^1] = 1; // one tagged field
        byte[] tampered = [.. bytes, 0x00, 0x01, 0x03, (byte)'a', (byte)'b'];
        Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(tampered);
            FetchRequest.Read(ref reader, 12);
        });
    }

    [Fact]
    public void Known_bytes_of_an_ApiVersions_v3_request_decode()
    {
        // Body of librdkafka's first request: compact "librdkafka", compact "2.16.0", no tagged fields.
        byte[] body = [11, .. "librdkafka"u8, 7, .. "2.16.0"u8, 0];
        var reader = new KafkaReader(body);
        var request = ApiVersionsRequest.Read(ref reader, 3);
        Assert.Equal("librdkafka", request.ClientSoftwareName);
        Assert.Equal("2.16.0", request.ClientSoftwareVersion);
        Assert.Equal(body.Length, reader.Position);
    }

    [Fact]
    public void Known_bytes_of_a_Metadata_v1_request_for_all_topics_decode_as_null()
    {
        var reader = new KafkaReader(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF });
        Assert.Null(MetadataRequest.Read(ref reader, 1).Topics);
    }
}
