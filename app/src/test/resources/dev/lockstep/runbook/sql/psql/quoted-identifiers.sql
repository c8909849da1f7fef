create temp table "semi;colon" ("a;b" int, "quote""d;" text, "--x" int, "/*y" int);
insert into "semi;colon" values (1, 'x', 2, 3);
select "a;b", "quote""d;", "--x", "/*y" from "semi;colon";
select 1 as U&"d\0061t;a";
select 2 as "$$", 3 as "'", 4 as "E'";
