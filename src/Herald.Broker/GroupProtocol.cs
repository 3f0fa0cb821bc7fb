namespace Herald.Broker;

/// <summary>A protocol a member supports (for consumers: an assignor such as "range"), with its metadata.</summary>
internal sealed record GroupProtocol(string Name, byte[] Metadata);
