-- The consumer's own dim_customers: same name as the package's mart, which lives
-- in a schema of its own, so both exist side by side.
select 'consumer' as owner
