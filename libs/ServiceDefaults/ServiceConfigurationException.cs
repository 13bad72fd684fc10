namespace Chronicle.ServiceDefaults;

/// <summary>
/// A setting a service cannot start with. <see cref="ServiceHost"/> prints its message as one sentence on standard
/// error and exits 2, so a person or a launcher can tell a configuration problem (fix the settings) from a failure to
/// start (exit 1).
/// </summary>
public sealed class ServiceConfigurationException : Exception
{
    public ServiceConfigurationException(string message) : base(message)
    {
    }

    public ServiceConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public ServiceConfigurationException()
    {
    }
}
