"""The LTI 1.3 tool: platforms, pending launches, Moodle accounts and courses, grades sent back;
an e-mail address per account; which attempt of an assignment Moodle gets.

New tables, and two columns with defaults on existing ones: every row is kept as it is.

Revision ID: 0004
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lti_platforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('issuer', sa.String(length=400), nullable=False),
    sa.Column('client_id', sa.String(length=400), nullable=False),
    sa.Column('deployment_ids', sa.JSON(), nullable=False),
    sa.Column('keyset_url', sa.String(length=1000), nullable=False),
    sa.Column('token_url', sa.String(length=1000), nullable=False),
    sa.Column('auth_url', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_platforms')),
    sa.UniqueConstraint('issuer', 'client_id', name='uq_lti_platforms_client')
    )
    op.create_table('lti_launch_states',
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_launch_states_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('state', name=op.f('pk_lti_launch_states'))
    )
    with op.batch_alter_table('lti_launch_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_launch_states_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_launch_states_platform_id'), ['platform_id'], unique=False)

    op.create_table('lti_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_accounts_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_accounts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_accounts')),
    sa.UniqueConstraint('platform_id', 'subject', 'role', name='uq_lti_accounts_subject'),
    sa.UniqueConstraint('user_id', name=op.f('uq_lti_accounts_user_id'))
    )
    with op.batch_alter_table('lti_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_accounts_platform_id'), ['platform_id'], unique=False)

    op.create_table('lti_courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_lti_courses_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_courses_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_courses')),
    sa.UniqueConstraint('class_id', name=op.f('uq_lti_courses_class_id')),
    sa.UniqueConstraint('platform_id', 'context_id', name='uq_lti_courses_context')
    )
    with op.batch_alter_table('lti_courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_courses_platform_id'), ['platform_id'], unique=False)

    op.create_table('lti_grades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('lineitem_url', sa.String(length=1000), nullable=True),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('score_given', sa.Float(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_timestamp', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_lti_grades_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_lti_grades_attempt_id_attempts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_grades_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_grades_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_grades')),
    sa.UniqueConstraint('user_id', 'platform_id', 'resource_link_id', name='uq_lti_grades_link')
    )
    with op.batch_alter_table('lti_grades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_grades_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_grades_next_try_at'), ['next_try_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_grades_platform_id'), ['platform_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_grades_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade_policy', sa.String(length=20), server_default='meilleure', nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=320), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('grade_policy')

    with op.batch_alter_table('lti_grades', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_grades_user_id'))
        batch_op.drop_index(batch_op.f('ix_lti_grades_platform_id'))
        batch_op.drop_index(batch_op.f('ix_lti_grades_next_try_at'))
        batch_op.drop_index(batch_op.f('ix_lti_grades_assignment_id'))

    op.drop_table('lti_grades')
    with op.batch_alter_table('lti_courses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_courses_platform_id'))

    op.drop_table('lti_courses')
    with op.batch_alter_table('lti_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_accounts_platform_id'))

    op.drop_table('lti_accounts')
    with op.batch_alter_table('lti_launch_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_launch_states_platform_id'))
        batch_op.drop_index(batch_op.f('ix_lti_launch_states_expires_at'))

    op.drop_table('lti_launch_states')
    op.drop_table('lti_platforms')
