namespace Herald.Client;

/// <summary>A record that is not a readable event: no CloudEvents envelope, or a body that does not parse.</summary>
public sealed class InvalidEventException(string message, Exception? inner = null) : Exception(message, inner);
