create table widget (
    id      uuid primary key,
    name    text   not null,
    version bigint not null
);
create table widget_effect (
    id        bigint generated always as identity primary key,
    source_id text not null
);
