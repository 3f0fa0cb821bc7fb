namespace Herald.Server;

/// <summary>A request arrived before the part it needs (the broker, the listener) was started, or after it stopped.</summary>
public sealed class NotReadyException(string message) : InvalidOperationException(message);
