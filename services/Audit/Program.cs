using Chronicle.Audit;

return await AuditCommandLine.RunAsync(args, Console.Out, Console.Error);
