namespace Herald.Broker;

/// <summary>How much durability a producer waits for, with Kafka's wire values.</summary>
public enum Acks : short
{
    /// <summary>Acknowledged once the batch is on disk (fdatasync, group-committed). The default of Herald's SDK and CLI.</summary>
    All = -1,

    /// <summary>No acknowledgement is awaited at all (the Kafka layer sends no response).</summary>
    None = 0,

    /// <summary>Acknowledged once the OS has the bytes; they are synced on a short interval.</summary>
    Leader = 1,
}
