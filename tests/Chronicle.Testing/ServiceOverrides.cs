using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Chronicle.Testing;

/// <summary>
/// The seam for in-process test hosts, as WebApplicationFactory's ConfigureTestServices: a service's real compose
/// function (what its Program.cs runs, e.g. RecordService.Compose) with a test's replacements applied after compose has
/// registered everything, just before the service provider is built. The service keeps everything else it is made of,
/// auditing and security included.
/// </summary>
public static class ServiceOverrides
{
    public static Func<WebApplicationBuilder, TSettings, WebApplication> Apply<TSettings>(
        Func<WebApplicationBuilder, TSettings, WebApplication> compose, Action<IServiceCollection>? overrides)
    {
        ArgumentNullException.ThrowIfNull(compose);
        return overrides is null ? compose : (builder, settings) =>
        {
            // The provider factory is called by Build, with the collection as compose left it.
            builder.Host.UseServiceProviderFactory(new OverridingProviderFactory(builder.Environment.IsDevelopment(), overrides));
            return compose(builder, settings);
        };
    }

    private sealed class OverridingProviderFactory(bool development, Action<IServiceCollection> overrides) : IServiceProviderFactory<IServiceCollection>
    {
        // As the default host validates: scopes and the whole graph in Development.
        private readonly DefaultServiceProviderFactory _default = new(new ServiceProviderOptions { ValidateScopes = development, ValidateOnBuild = development });

        public IServiceCollection CreateBuilder(IServiceCollection services)
        {
            overrides(services);
            return _default.CreateBuilder(services);
        }

        public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder) => _default.CreateServiceProvider(containerBuilder);
    }
}
