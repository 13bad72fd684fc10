-- An Identity database made by the last release before schema migrations (EnsureCreated), with --demo, after a client
-- credentials token and a sign-in with refresh. Test data only: these keys and secrets protect nothing real.
--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: public; Type: SCHEMA; Schema: -; Owner: -
--



--
-- Name: SCHEMA public; Type: COMMENT; Schema: -; Owner: -
--



SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: OpenIddictApplications; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."OpenIddictApplications" (
    "Id" text NOT NULL,
    "ApplicationType" character varying(50),
    "ClientId" character varying(100),
    "ClientSecret" text,
    "ClientType" character varying(50),
    "ConcurrencyToken" character varying(50),
    "ConsentType" character varying(50),
    "DisplayName" text,
    "DisplayNames" text,
    "JsonWebKeySet" text,
    "Permissions" text,
    "PostLogoutRedirectUris" text,
    "Properties" text,
    "RedirectUris" text,
    "Requirements" text,
    "Settings" text
);


--
-- Name: OpenIddictAuthorizations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."OpenIddictAuthorizations" (
    "Id" text NOT NULL,
    "ApplicationId" text,
    "ConcurrencyToken" character varying(50),
    "CreationDate" timestamp with time zone,
    "Properties" text,
    "Scopes" text,
    "Status" character varying(50),
    "Subject" character varying(400),
    "Type" character varying(50)
);


--
-- Name: OpenIddictScopes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."OpenIddictScopes" (
    "Id" text NOT NULL,
    "ConcurrencyToken" character varying(50),
    "Description" text,
    "Descriptions" text,
    "DisplayName" text,
    "DisplayNames" text,
    "Name" character varying(200),
    "Properties" text,
    "Resources" text
);


--
-- Name: OpenIddictTokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."OpenIddictTokens" (
    "Id" text NOT NULL,
    "ApplicationId" text,
    "AuthorizationId" text,
    "ConcurrencyToken" character varying(50),
    "CreationDate" timestamp with time zone,
    "ExpirationDate" timestamp with time zone,
    "Payload" text,
    "Properties" text,
    "RedemptionDate" timestamp with time zone,
    "ReferenceId" character varying(100),
    "Status" character varying(50),
    "Subject" character varying(400),
    "Type" character varying(150)
);


--
-- Name: accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accounts (
    "Id" uuid NOT NULL,
    "UserName" character varying(100) NOT NULL,
    "DisplayName" character varying(200) NOT NULL,
    "PasswordHash" text NOT NULL,
    "FailedSignIns" integer NOT NULL,
    "LockedOutUntil" bigint,
    kind character varying(8) NOT NULL,
    "PatientId" uuid,
    "Role" character varying(32),
    "PracticeOds" character varying(16)
);


--
-- Name: module_enablements; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.module_enablements (
    "PracticeOds" character varying(16) NOT NULL,
    "ClientId" character varying(100) NOT NULL,
    "EnabledAt" bigint NOT NULL,
    "EnabledBy" text NOT NULL
);


--
-- Name: practices; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.practices (
    "OdsCode" character varying(16) NOT NULL,
    "Name" character varying(200) NOT NULL
);


--
-- Name: processed_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.processed_events (
    "EventId" uuid NOT NULL,
    "ProcessedAt" bigint NOT NULL
);


--
-- Name: registrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.registrations (
    "PatientId" uuid NOT NULL,
    "PracticeOds" character varying(16) NOT NULL,
    "StreamVersion" bigint NOT NULL,
    "RecordedAt" bigint NOT NULL
);


--
-- Name: signing_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.signing_keys (
    "KeyId" character varying(64) NOT NULL,
    "Use" text NOT NULL,
    "KeyMaterial" bytea NOT NULL,
    "CreatedAt" bigint NOT NULL,
    "ActivatedAt" bigint,
    "RetiredAt" bigint
);


--
-- Name: supplier_modules; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.supplier_modules (
    "ClientId" character varying(100) NOT NULL,
    "Name" character varying(200) NOT NULL,
    "AllowedScopes" text NOT NULL,
    "RegisteredAt" bigint NOT NULL
);


--
-- Data for Name: OpenIddictApplications; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public."OpenIddictApplications" VALUES ('59498e41-0114-4b01-b269-4ebe63453317', NULL, 'demo-module', 'AQAAAAEAACcQAAAAEEDKcQcAwWeG03nWxIk+XPUUuRnGJUIYC9vdOig568avY0BvdbT6uZArtM/EHkA1DA==', 'confidential', '2dd94c5f-1ee4-4430-b87d-054c123ab575', NULL, 'Demo online consultation module', NULL, NULL, '["ept:token","gt:client_credentials"]', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public."OpenIddictApplications" VALUES ('ed675eb3-37f7-4821-9b95-15e1e13de3f3', NULL, 'chronicle-partner-ui', NULL, 'public', '5683aa8a-bc97-4458-94e9-c51021009d06', NULL, 'Chronicle partner UI (demo)', NULL, NULL, '["ept:authorization","ept:token","gt:authorization_code","gt:refresh_token","rst:code"]', NULL, NULL, '["http://127.0.0.1:5400/callback","http://localhost:5400/callback"]', '["ft:pkce"]', NULL);


--
-- Data for Name: OpenIddictAuthorizations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public."OpenIddictAuthorizations" VALUES ('d6d9e260-e7b3-4d23-8f57-260b4422fb2a', 'ed675eb3-37f7-4821-9b95-15e1e13de3f3', '3398f142-d662-443a-9019-a031c5eb34bb', '2026-11-25 21:42:35.808686+00', NULL, '["openid","offline_access","user/Patient.rs"]', 'valid', '01a214a8-fd45-72e6-9f88-f3e8adfce514', 'ad-hoc');


--
-- Data for Name: OpenIddictScopes; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: OpenIddictTokens; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public."OpenIddictTokens" VALUES ('fb065857-5034-4fb7-b673-d79343a4b893', '59498e41-0114-4b01-b269-4ebe63453317', NULL, 'ee4a11ea-d617-46bc-af9f-ade748d332b9', '2026-11-25 21:42:35+00', '2026-11-25 21:47:35+00', NULL, NULL, NULL, NULL, 'valid', 'demo-module', 'urn:ietf:params:oauth:token-type:access_token');
INSERT INTO public."OpenIddictTokens" VALUES ('eb8ec312-7cca-408a-8a92-a057fe08f0d0', 'ed675eb3-37f7-4821-9b95-15e1e13de3f3', 'd6d9e260-e7b3-4d23-8f57-260b4422fb2a', '747096c4-0c81-474c-8dc4-accd73618cf8', '2026-11-25 21:42:35+00', '2026-11-25 21:44:35+00', 'eyJhbGciOiJBMjU2S1ciLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoiTGFpbnFJNFM0bmZRbllFeSIsInR5cCI6Im9pX2F1Yytqd3QiLCJjdHkiOiJKV1QifQ.tCzxepRxLQOPL0omd9dHsvCSDerPY3fktSwBsI1Cc0Ue7kwZpTSxUurXvh54y8-ThhpsWTqcUfc1O1aE7AUIkn8oF_atwC3R.Q59MUehCV9PcASV7ObmMHQ.rOOdOxD2CH8DWx6dSq8nhwoJbzb8AShsrFHXiE4ok7iVVi5mcdtcHjqk_a8W0-a2Frw6xZ857z1Gi2lxMA1H2Avgaql_bLvQTK_lJpGNHAC9nXtenil08MWagb9uQDXKaFDymmN4eqwmU1gQ_bJgwYLfRDdEhVRlZfUKs7eVxfTOwgX7mtv2JKqIaXKlg9AJOhu33_kf7HO4lwrhsxppOADTKNMdGznJAGLgEzJqYxkoAFoJXaGxsWj32Gzko_3XdthHrSLHz4scRgmAY4VKGkO4ZYQ_XFW0-oZSVFHY5zAMeLBv_aGG92EgNBfNKBzW0KdxMr8tY6MUJBYumM7PBChgp4Yhmh-ectAnIdH8HGE2Fve7lbvCmyn0Ry6Xf7zE1HAdOHy_vhtyf7TMvyrfUj-z4tMz_MGlOy6wtf5DpMaENsW7orRyND24Yv23WznTeNgGTUfjRgwblzACEOQDAGTeDmF8442XyXXzuA5ZFvfPQY6FrSgml0lNe26veLM3KnDs-4b3pd2sBijncLGS9GbbwZnl_JZ5z2HVlZizOCgYDkqk9FIC5dlV2FF5q9subwkcJ1qu88lO4rCJwpNphdpYKquYSXze-lMRxl64odAocb3MDS7HjX2Um7HebHy04rnO-NjKThrXR99HnOTqjOhsqaMVmLgroPCVbPaMSq5pFYjya6PeBCZv2KHk94_mJ5Q4QY3IRMU0kF04FZYWaDHxLaHo41iMhAw9BiSvJbDACihdFPe2z3V3R9xGkPT9BIePczwBg5Ei8iE_mXz8MdF7dvZ0cdPfLvM_Q1MSwJvp1vZLYLZsYcfHX3YAQSe2PEutqACZwWUo5jfsd1uXzHwUSbqeMFM-YmZpon8v_TY5OAPoOsxFAjwOzjVjwoVhVghrYSdi5FSPmCtCelANOoYjVZOCjwE5valOvktQX4jAJE4E5qqgqJBrtshBdwb7mYL1yT2e9HtDZOKq-O6H_9hc4t5QR47QR9y_cVh0cqqdtnM6ndxCOLiQoel7_ZV5sbFZ-x2vy8MsE5s7osT5kCUheNq_R5GKQ5bizpzyp6IvQr46ED5OGW-nTiR2CJ_RpngyT2skjPSEOYsRCOhj8n15dZfB9aOe1pdYci4Da7gthaBZ_O-7rtQZgwyvVP5HCD3hI1wQC3fuC-O2ve2nJU_rbZ9-HJiiLzpYc_VlOFF5DFe4P9y0WFeAgFKCrC0HV1jvsMeXB2o-qcfAvqgqnVkLD1hy2dVQ2PynOHGH3ESP-GZANrtm-5G5-AXFavO4RjfjTbRWpdx83C2Wi-VbgQSLI0NjRd5NoCFOX71tWNRP7mdrwlsfwn4oY078yz0cVFBfnN_fcnhiE7YKZyBghMdiZdcSWVK2asB4wHutggsTSprl6OuctoOdc91ggwQmoPReYdN_wztTNgzmNKOHZBcjbY6YTpWu-HoFAdrVpuMqOxsYR4pLNDNoRwjQs8pgiD7NwAl83Viy3Ic7rMA7a0vsTY94SvSNg8MPtCI4EBJmh8ku0fNOI2ZAwTyyMee0bmT8k0KZMlrXy8XCeu02l7l7SqHRDMI_0iwO9-TUDQMrZYN0skX9Q8QGVQGszwdDHhYU9ODD0x3jVMwhCy5t4JUS7ZfQaZ1PTTwLhnikaDbh96c0bPbxDOnMy8xn5FPIsUhJXTFyKmZ0KoCzmu15ieLG25qhWcVfmvkt3GwydOanC4tMAT2AjOy2sxhxOl2dRFoH7e8qFMAz-YQZT8FfaWPa6DUCtHl8FLZYdun8LeI32SWMM30Td2oU_BwCR8DCZ5NbQ4dws3_j9YNVrBFkLHWE5t9Gsbe36nsdrB7Nc_VSzoJdCJMwoKjawmSBr6r84XvB2MQ14uFFoe_xsD_fyZGG5735Q0wU6j6EkIwwDe4BQp80aJEUsN58Bf7pVZhHrH2HasPj2__0aloQ8yrH3e9Kc4J6UCUWsPGqGa2QDj_9Jg_VKE-xCo8sugzyn5IT.u4-oo-jUghzjzauBt21BDJQV_K21Y7QHKsC987JY4jQ', NULL, '2026-11-25 21:42:36.03045+00', 'lmBZsPfFpSLJ2fLLhxabBLE+3Pk/d7m1f9mHeTwlrKA=', 'redeemed', '01a214a8-fd45-72e6-9f88-f3e8adfce514', 'urn:openiddict:params:oauth:token-type:authorization_code');
INSERT INTO public."OpenIddictTokens" VALUES ('31fd9f0f-7f3c-495d-aeab-552faf8921d4', 'ed675eb3-37f7-4821-9b95-15e1e13de3f3', 'd6d9e260-e7b3-4d23-8f57-260b4422fb2a', '1610a06f-3853-481d-9f01-3431c6d85a03', '2026-11-25 21:42:36+00', '2026-11-25 21:47:36+00', NULL, NULL, NULL, NULL, 'valid', '01a214a8-fd45-72e6-9f88-f3e8adfce514', 'urn:ietf:params:oauth:token-type:access_token');
INSERT INTO public."OpenIddictTokens" VALUES ('1f1fe9f1-0cc0-4f02-9f78-b92ebb09c1d2', 'ed675eb3-37f7-4821-9b95-15e1e13de3f3', 'd6d9e260-e7b3-4d23-8f57-260b4422fb2a', 'e31e0906-bba7-44c4-90c1-9ba14038e447', '2026-11-25 21:42:36+00', '2026-11-25 21:47:36+00', NULL, NULL, NULL, NULL, 'valid', '01a214a8-fd45-72e6-9f88-f3e8adfce514', 'urn:ietf:params:oauth:token-type:id_token');
INSERT INTO public."OpenIddictTokens" VALUES ('69605259-19fd-4cc7-8e4f-c04a5e9d9971', 'ed675eb3-37f7-4821-9b95-15e1e13de3f3', 'd6d9e260-e7b3-4d23-8f57-260b4422fb2a', '658018b9-c3c9-40cb-b98f-42a7c8ed72a2', '2026-11-25 21:42:36+00', '2026-11-26 05:42:36+00', NULL, NULL, '2026-11-25 21:42:36.127104+00', NULL, 'redeemed', '01a214a8-fd45-72e6-9f88-f3e8adfce514', 'urn:ietf:params:oauth:token-type:refresh_token');
INSERT INTO public."OpenIddictTokens" VALUES ('18ac057f-f5de-427f-b334-bc25f52eaafe', 'ed675eb3-37f7-4821-9b95-15e1e13de3f3', 'd6d9e260-e7b3-4d23-8f57-260b4422fb2a', '58c33193-9c8a-42a7-988e-34a9c0f4e194', '2026-11-25 21:42:36+00', '2026-11-25 21:47:36+00', NULL, NULL, NULL, NULL, 'valid', '01a214a8-fd45-72e6-9f88-f3e8adfce514', 'urn:ietf:params:oauth:token-type:access_token');
INSERT INTO public."OpenIddictTokens" VALUES ('6f263046-3c39-429d-ab37-cc17d2d42438', 'ed675eb3-37f7-4821-9b95-15e1e13de3f3', 'd6d9e260-e7b3-4d23-8f57-260b4422fb2a', '87367ee7-cc98-4242-b34b-fd8ee8a320e0', '2026-11-25 21:42:36+00', '2026-11-26 05:42:36+00', NULL, NULL, NULL, NULL, 'valid', '01a214a8-fd45-72e6-9f88-f3e8adfce514', 'urn:ietf:params:oauth:token-type:refresh_token');
INSERT INTO public."OpenIddictTokens" VALUES ('43824d3e-a19c-4793-9b58-c192152e38b6', 'ed675eb3-37f7-4821-9b95-15e1e13de3f3', 'd6d9e260-e7b3-4d23-8f57-260b4422fb2a', 'f5fa5889-fe35-495a-9202-8228e29c1118', '2026-11-25 21:42:36+00', '2026-11-25 21:47:36+00', NULL, NULL, NULL, NULL, 'valid', '01a214a8-fd45-72e6-9f88-f3e8adfce514', 'urn:ietf:params:oauth:token-type:id_token');


--
-- Data for Name: accounts; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.accounts VALUES ('01a214a8-fd45-72e6-9f88-f3e8adfce514', 'gp.a81001', 'Demo gp', 'AQAAAAIAAYagAAAAEPEzGXCMye2rg2QK+Qsa+N7BanlWGoPly4lT1slsm7pVINkp/VsbzM4Aq3D4S7XOeQ==', 0, NULL, 'staff', NULL, 'gp', 'A81001');
INSERT INTO public.accounts VALUES ('01a214a8-fdbd-7364-9f47-62b16cf88095', 'nurse.a81001', 'Demo nurse', 'AQAAAAIAAYagAAAAEAHvLX50kxOx+m9QnUjC742/R1a+O9436vJGXI+VLMqyFS/BaQHpQsi60sWKDdxMfQ==', 0, NULL, 'staff', NULL, 'nurse', 'A81001');
INSERT INTO public.accounts VALUES ('01a214a8-fdf6-71f0-876c-253319ce8568', 'receptionist.a81001', 'Demo receptionist', 'AQAAAAIAAYagAAAAECTJc6tJrlJo5rfVJv2Hg0IGmRyJk48rtC3arlM7gn+pXNdAMvE7O1drNlXrf5X5eA==', 0, NULL, 'staff', NULL, 'receptionist', 'A81001');
INSERT INTO public.accounts VALUES ('01a214a8-fe3c-7c72-b346-f2b8c974bf01', 'prescriber.a81001', 'Demo prescriber', 'AQAAAAIAAYagAAAAEIbLwofmEDXkqEWOH4piq9TI5meFW1b2lj8KCbdQyZQq44Ps7LRsafEz8cMVSOCB2g==', 0, NULL, 'staff', NULL, 'prescriber', 'A81001');
INSERT INTO public.accounts VALUES ('01a214a8-fe9c-7c0b-9b67-ab208db529f1', 'practice-manager.a81001', 'Demo practice-manager', 'AQAAAAIAAYagAAAAEJ+o9geke9oR1x2aKXsA/NmLbsktQYzxKzbrGWQBaahetihAdL6CEEwQ89A7tXcE0Q==', 0, NULL, 'staff', NULL, 'practice-manager', 'A81001');
INSERT INTO public.accounts VALUES ('01a214a8-ff1a-7fcb-9783-280eff82cdae', 'auditor.a81001', 'Demo auditor', 'AQAAAAIAAYagAAAAEI7/JyVLS5RVrrlUacMmKD57undGiy/AQs3Qn4JpaD5aR8sf4RvgkroOD0YA8oYmXw==', 0, NULL, 'staff', NULL, 'auditor', 'A81001');
INSERT INTO public.accounts VALUES ('01a214a8-ff85-726a-95d8-7eca83f62da0', 'gp.a81002', 'Demo gp (Hillview)', 'AQAAAAIAAYagAAAAEBkxYPHzJT73gx+exa7VF6Z9K5GP97rTpVFRqcqeNGrwB7oGcqN8s/MAGVvzC2YLlg==', 0, NULL, 'staff', NULL, 'gp', 'A81002');
INSERT INTO public.accounts VALUES ('01a214a8-ffde-73d4-bb83-a5a2f9c6b37f', 'practice-manager.a81002', 'Demo practice-manager (Hillview)', 'AQAAAAIAAYagAAAAECRq9NTQBFERbCQDLTYLs+ojqVp2eq8t2VZYmmdp6sbOM4cOXxXWUaZn3OMbdVh3PQ==', 0, NULL, 'staff', NULL, 'practice-manager', 'A81002');
INSERT INTO public.accounts VALUES ('01a214a9-0033-7d68-b3d1-459ceea70ea1', 'patient.demo', 'Demo Patient', 'AQAAAAIAAYagAAAAEBL0v+QkUyyKr8cbJvGKQ/Xh3B1d+7g68DbuUzte4I1kTQxEk8i4kqZ68qrpVYcHcA==', 0, NULL, 'patient', '0196f1c0-0000-7000-8000-000000000001', NULL, NULL);


--
-- Data for Name: module_enablements; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.module_enablements VALUES ('A81001', 'demo-module', 639312397500467834, 'demo');


--
-- Data for Name: practices; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.practices VALUES ('A81001', 'Riverside Medical Practice');
INSERT INTO public.practices VALUES ('A81002', 'Hillview Surgery');


--
-- Data for Name: processed_events; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.processed_events VALUES ('0196f1c0-0000-7000-8000-0000000000e1', 639312397500883906);


--
-- Data for Name: registrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.registrations VALUES ('0196f1c0-0000-7000-8000-000000000001', 'A81001', 0, 639312397500883906);


--
-- Data for Name: signing_keys; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.signing_keys VALUES ('H55cw5bvQelTyg-U', 'sig', '\x308204be020100300d06092a864886f70d0101010500048204a8308204a40201000282010100b3e48234a5c08866a2bfb3307f1286d204682ea53dcc2044b7c52a355a3a375fb9c10430c1162aecb77557518750cf172e4dd76899501ccadd90cb7c8c502457b1aec77292aaac80d1005a1a8f85f92b331a0eadd4f651e6b00ee8c3f4bd31a8fe0b0fda926e01e3d53b557ab06f8ab640cb58ed6cc4386d0a69eb22fa67a44d0ec9250528377c416359411be417df401ce674287a379233b684e3e5c56fc1bd9f501401fd5b9e02defaa451ee290d218909f9d11b501b9d059df797b211f2a4bc66d0b1b7681afc9f522f55e6eb6921c45b3e3b2bc6644f3f0adcbfea9e1df90b2fc7eb60e884393e09be92f82d108330aac9eb1ee659cd18bb5f40a6d1ce21020301000102820100053c75e8f99889797685ab8ac56e8438818921fc0c85a356031e901127e4611c3e31ea141c6aaf912b8aae6ec71522ab9cdd06608172b71d6ef32d32b747a2b3f927a405c153240fe09f1c004deac4cb20b60f74ebdcc79b1c93ff51ab426b54d38697b3f16663207efc038bbd7afb47d6ca2e10de5203073fe52629c9475236edcf0925cf6abfc9e10db9385b00f0ff3366474e0a0717dd8dcc8214a5ff48f849c098fe61d841158c05f7060212295bb802e872828d849b8fa1d4a8f3b33b7e3e5c5edcad6b1f7022d41fd04b8dcdbc91dbd5106d9f867153d3d965d22b14ef05586c85fcd509aafc6e9665887bb903d64c8498c4acb37446ff104a8b43600902818100f10bf03459ae2f336d4bad1676c046af6bba822c84825ccf0335c3a3f0b0e3ae432eb927b72248eb95262b2c9d954ccf5f808e621d259b274fa4c1f24fb13a0beded500c8d4cf8d21131c22872a501f503b663c08be865b0871c01cb61d153b91e6df2e354b1b592a7b9d9d5325166da7f05a23022ba0857c74930e1204eec9b02818100bf0d621d8c0f1fe1067a90ca30224aa80b1a1527da2dd7870c08a90a2787727d255d7bd77a50c5f3fab7aae9275400978c39523a778864b93546d867facde83a4bae6d8e3499b40f84b29e4acb70276811ced09121abf4bc5e05aa79056e614a9f960bff8b9ec5a1193000f5f7133c35f6e5fce1d6fd8bad5a720223c92395f302818010a9549729c3c27b79888b944bed0a75c1aa88a8ef17dbb66b7061ef89099113508d803ae08bbc229c92a0d55aa721420c45e4919f9623dd59c1f7adfa1833fcf31b3e373fe51c25d90e696f464d658f3c0c7564afc70690672666715a778fa3f218837b77353969c3b232fe6b95f8d80d83a42c539a2c4d74f6f82bf781bd150281810093643fcd8bc01f57fb27938c68960c02988e06c4380e25b88a1024593125cdadbea5e064dc78743f45ad6cad7329db4b0f63298cf1aac80a1a900d642a99b00f4953c8316d632706d1d8fb45b8ad4db97c0391e46595c3b98ecfd0348d7c1a92f78b4ab65b80a1f726f761c66056f69cab5dc33a782223201a26da7fc12d330102818100d9b0e2dfe84f9f39cb9162398f20efc4d570a3ab75164a4fa21ec6327a4d547ff3097ffdaaf8c3e68c8ebcf5e2fe24f9370eecc27abe43ea8888a67fb05902debf3659bbd86a0cce97942e5697e08e1df3744beddc02914e7d76fa0034b3a8c0d036de5d12f4fdf5a64c2eda6589c4c181e635ef7038db1de1cedbb4be64aca8', 639312397480949709, 639312397480949709, NULL);
INSERT INTO public.signing_keys VALUES ('LainqI4S4nfQnYEy', 'enc', '\xd86299bee452fbcb9baa721929e381e8da08283a8b79a6cf5df4a4bffe3a465d', 639312397480949709, NULL, NULL);
INSERT INTO public.signing_keys VALUES ('RA8XpbjYUSODdqSw', 'sig', '\x308204be020100300d06092a864886f70d0101010500048204a8308204a40201000282010100a8baa5b93e5911309d58dda247c5cbd20be24e35f480d20d93310a9949860c09c5939d2a490f48b587eb31b6c7d9aaa35b8c1376e95f4608b64d99401bf296d6d32ff8df98bcf23f819a95229e64e61bc4d634867c53c74e8308bfb5b009ac1c6e299633851cb45848e3bf2af2f372753b09ef05a604b5c434b871f678ed61f513c29a21f21c596c4fab0f2c5efcc2bfb9cf7f1160c74f734de2d992c9a94f409a74c5d3108a2e12898bd052c76d503065eb6cfec5a4318f685a017a5389112a06dd84462371f874a05445475c64d11d1b2fb6b3d83376a98807ac81113507b1f3cc5e5d033a8cb0170068829ca87cb82c327d47bcf3af8825e0b1aa6a6378550203010001028201004e614612e36fa4989cbf6755b7599ef1182c2c80cbeffba3eab861600bd3854c14c819be46ea1eb0954f206cf4319d1efdabf86ec8c2455a4eb585774e8446a5ccbd00337e54678430c48a7ae671a0a34db0e3fd854bb5ce36f89d75dd2ce112e3e9d5a8613190656296c97b3e18f1169c3265228e98a98757a646ea640a81f2008aa4ef97ff258d902ca21269bbad05cbdd36e00a6ac29bafed81a6b16ac3b94bf71abc3f8f96668e453842b2d08fd36cba3a9859715e3061bb23999a2f9812c43f4a9e5192561839053a2e9bb82ef56c3904dd11ece8656077534672190983db1d6d241402563ec26483ba980066cb40a78ca492da2d3e777fca274fa3a61102818100eaff8ce836239da34d63347618ee14f647063e4f735687f519eb12dd01341761f3ebd9f938144193dae5b9227f71c93872890dfd54617528f64622d85bf037d3aac0cf6a779c63fe768743c680d6422f21bd5e11925f2cb8255d024f0b944baed226e642e68121a4f98d74e92eff7403fb65a0c8d30dbd918fa3fd6ab6ddce3702818100b7cef23b239cff157b48684221bf3e00f0862922849336a3481b0351d37a6375fab8a09d1d3689b9115ef6bb22ec2232565c164391ce312266d0517de5166432d68734c2adadc21dfa76a2f48c4123f481af03fd445dc5778cdf9360288bbfc59b54341ca8a95247489c094d3f0429ab6a989d4b272019a5d25bc4f9270907d302818100c8bab8f5b1290301f69c82b74ddc2ff39dff6b421a571392fd2c9ad444aee63a394c80c82c6ac10936b57b4a486a3d630612a3ec7c23331c6620caaadcfd77f249aca07f64e42555ba9118077b0d89431122dc334e4015c6c5c388b15446bbcefc9b559c57a07dc89991870797a984c3d1fda135697217373ae6ed14365788490281801d96ccdbc451e3a65ba03e5857026842d275666dce15bcb7f04598f5352c0092df779533759e6ff140e09eab6565c9e37c8f7a6e0a2cbd302288ea756fc978fbce1919df350241bb7db4576b32a0d1deec797614f14a7f1d4daa381944adaa836f0bd10fc3feede5d7c476a2dec016cd276dc5f47129f3b703f40df365db484d02818100d9fc2f767fbb18a5b82b337396ffc6a27a67414523293d443b2e827d08aa9772f94f17561fc91746c7b7560b57ca866bd809c3a48160a68b38de0c107ca0a4a0af11b0f11d0edd2f5ec577d2bb94bb3437ead6a79aae2b46e08875781280f3b0de02e0f47bcbf6d87009786f8313f4087f9f66c14ea4fbeaf4b06bc367f8e985', 639312397480949709, NULL, NULL);


--
-- Data for Name: supplier_modules; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.supplier_modules VALUES ('demo-module', 'Demo online consultation module', 'system/*.rs', 639312397500037333);


--
-- Name: OpenIddictApplications PK_OpenIddictApplications; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."OpenIddictApplications"
    ADD CONSTRAINT "PK_OpenIddictApplications" PRIMARY KEY ("Id");


--
-- Name: OpenIddictAuthorizations PK_OpenIddictAuthorizations; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."OpenIddictAuthorizations"
    ADD CONSTRAINT "PK_OpenIddictAuthorizations" PRIMARY KEY ("Id");


--
-- Name: OpenIddictScopes PK_OpenIddictScopes; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."OpenIddictScopes"
    ADD CONSTRAINT "PK_OpenIddictScopes" PRIMARY KEY ("Id");


--
-- Name: OpenIddictTokens PK_OpenIddictTokens; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."OpenIddictTokens"
    ADD CONSTRAINT "PK_OpenIddictTokens" PRIMARY KEY ("Id");


--
-- Name: accounts PK_accounts; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT "PK_accounts" PRIMARY KEY ("Id");


--
-- Name: module_enablements PK_module_enablements; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.module_enablements
    ADD CONSTRAINT "PK_module_enablements" PRIMARY KEY ("PracticeOds", "ClientId");


--
-- Name: practices PK_practices; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.practices
    ADD CONSTRAINT "PK_practices" PRIMARY KEY ("OdsCode");


--
-- Name: processed_events PK_processed_events; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.processed_events
    ADD CONSTRAINT "PK_processed_events" PRIMARY KEY ("EventId");


--
-- Name: registrations PK_registrations; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.registrations
    ADD CONSTRAINT "PK_registrations" PRIMARY KEY ("PatientId");


--
-- Name: signing_keys PK_signing_keys; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.signing_keys
    ADD CONSTRAINT "PK_signing_keys" PRIMARY KEY ("KeyId");


--
-- Name: supplier_modules PK_supplier_modules; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.supplier_modules
    ADD CONSTRAINT "PK_supplier_modules" PRIMARY KEY ("ClientId");


--
-- Name: IX_OpenIddictApplications_ClientId; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX "IX_OpenIddictApplications_ClientId" ON public."OpenIddictApplications" USING btree ("ClientId");


--
-- Name: IX_OpenIddictAuthorizations_ApplicationId_Status_Subject_Type; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX "IX_OpenIddictAuthorizations_ApplicationId_Status_Subject_Type" ON public."OpenIddictAuthorizations" USING btree ("ApplicationId", "Status", "Subject", "Type");


--
-- Name: IX_OpenIddictScopes_Name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX "IX_OpenIddictScopes_Name" ON public."OpenIddictScopes" USING btree ("Name");


--
-- Name: IX_OpenIddictTokens_ApplicationId_Status_Subject_Type; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX "IX_OpenIddictTokens_ApplicationId_Status_Subject_Type" ON public."OpenIddictTokens" USING btree ("ApplicationId", "Status", "Subject", "Type");


--
-- Name: IX_OpenIddictTokens_AuthorizationId; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX "IX_OpenIddictTokens_AuthorizationId" ON public."OpenIddictTokens" USING btree ("AuthorizationId");


--
-- Name: IX_OpenIddictTokens_ReferenceId; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX "IX_OpenIddictTokens_ReferenceId" ON public."OpenIddictTokens" USING btree ("ReferenceId");


--
-- Name: IX_accounts_PatientId; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX "IX_accounts_PatientId" ON public.accounts USING btree ("PatientId");


--
-- Name: IX_accounts_PracticeOds; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX "IX_accounts_PracticeOds" ON public.accounts USING btree ("PracticeOds");


--
-- Name: IX_accounts_UserName; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX "IX_accounts_UserName" ON public.accounts USING btree ("UserName");


--
-- Name: IX_module_enablements_ClientId; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX "IX_module_enablements_ClientId" ON public.module_enablements USING btree ("ClientId");


--
-- Name: IX_registrations_PracticeOds; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX "IX_registrations_PracticeOds" ON public.registrations USING btree ("PracticeOds");


--
-- Name: OpenIddictAuthorizations FK_OpenIddictAuthorizations_OpenIddictApplications_Application~; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."OpenIddictAuthorizations"
    ADD CONSTRAINT "FK_OpenIddictAuthorizations_OpenIddictApplications_Application~" FOREIGN KEY ("ApplicationId") REFERENCES public."OpenIddictApplications"("Id");


--
-- Name: OpenIddictTokens FK_OpenIddictTokens_OpenIddictApplications_ApplicationId; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."OpenIddictTokens"
    ADD CONSTRAINT "FK_OpenIddictTokens_OpenIddictApplications_ApplicationId" FOREIGN KEY ("ApplicationId") REFERENCES public."OpenIddictApplications"("Id");


--
-- Name: OpenIddictTokens FK_OpenIddictTokens_OpenIddictAuthorizations_AuthorizationId; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."OpenIddictTokens"
    ADD CONSTRAINT "FK_OpenIddictTokens_OpenIddictAuthorizations_AuthorizationId" FOREIGN KEY ("AuthorizationId") REFERENCES public."OpenIddictAuthorizations"("Id");


--
-- Name: accounts FK_accounts_practices_PracticeOds; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT "FK_accounts_practices_PracticeOds" FOREIGN KEY ("PracticeOds") REFERENCES public.practices("OdsCode") ON DELETE RESTRICT;


--
-- Name: module_enablements FK_module_enablements_practices_PracticeOds; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.module_enablements
    ADD CONSTRAINT "FK_module_enablements_practices_PracticeOds" FOREIGN KEY ("PracticeOds") REFERENCES public.practices("OdsCode") ON DELETE CASCADE;


--
-- Name: module_enablements FK_module_enablements_supplier_modules_ClientId; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.module_enablements
    ADD CONSTRAINT "FK_module_enablements_supplier_modules_ClientId" FOREIGN KEY ("ClientId") REFERENCES public.supplier_modules("ClientId") ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


