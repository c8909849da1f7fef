/* outer /* inner; */ still comment; */ select 1 as nested;
select 2 /* a; /* b; */ c; */ as inline;
-- a line comment; select 3;
select 4; -- trailing; comment
select '--not a comment;' as dashes, '/*' as slash_star;
select 5 --; not the end
;
select /* ; */ 6;
;
/* a statement of comments only; */ ;
select 'last, without a semicolon'
