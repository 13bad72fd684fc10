using Chronicle.Audit.Tests.EndToEnd;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Chronicle.Testing;

namespace Chronicle.Audit.Tests.Service;

/// <summary>What the shared service host adds on the gRPC listener, over a real h2c connection to a started Audit service.</summary>
public sealed class ServiceHostGrpcTests(SqliteStorages storage) : IClassFixture<SqliteStorages>
{
    [Fact]
    public async Task GivenAStartedService_WhenGrpcHealthIsChecked_ThenItAnswersServing()
    {
        await using var server = await AuditServer.StartAsync(storage);
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var health = new Health.HealthClient(channel);

        // The query tables of an empty chain are caught up at once, so readiness (and with it gRPC health) holds.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HealthCheckResponse response;
        do
            response = await health.CheckAsync(new HealthCheckRequest { Service = "" });
        while (response.Status != HealthCheckResponse.Types.ServingStatus.Serving && DateTime.UtcNow < deadline && await Delay());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task GivenAStartedService_WhenReflectionListsServices_ThenTheServicesOwnServicesAndHealthAreListed()
    {
        await using var server = await AuditServer.StartAsync(storage);
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains("dapr.proto.runtime.v1.AppCallback", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(50);
        return true;
    }
}
