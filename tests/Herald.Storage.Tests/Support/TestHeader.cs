namespace Herald.Storage.Tests.Support;

internal sealed record TestHeader(string Key, byte[]? Value);
